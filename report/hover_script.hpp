// The page's one script: hovering a time chart shows, in a floating box, the
// day and UTC date of the nearest instant of the chart's hover data
// (hover_data.hpp) and every line's value then. It reads each figure's
// <script class="hover-data"> and its <svg>s' data-plot-left/right (the plot's
// edges in the SVG's own units) and data-start/end (the instants there).
// Like the rest of the page it contains no '<', '>' or '&', so the document
// stays well-formed XML.
#pragma once

namespace hourglass::report {

inline constexpr const char* kHoverStyle =
    "#hover-tip { position: fixed; z-index: 10; pointer-events: none; white-space: pre; background: #ffffff; "
    "border: 1px solid #999999; padding: 0.3rem 0.5rem; font-size: 0.8rem; box-shadow: 0 1px 4px #00000040; }\n";

inline constexpr const char* kHoverScript = R"(
(function () {
  var tip = document.getElementById('hover-tip');
  function dayAndDate(when, start) {
    var iso = new Date(when).toISOString();
    return 'day ' + String(Math.round((when - start) / 864000) / 100) + ' (' + iso.slice(0, 10) + ' ' +
           iso.slice(11, 16) + ' UTC)';
  }
  function decoded(data) {
    return data.values.map(function (text) {
      var last = '-';
      return text.split(',').map(function (v) { if (v !== '') last = v; return last; });
    });
  }
  document.querySelectorAll('figure.chart').forEach(function (figure) {
    var json = figure.querySelector('script.hover-data');
    if (!json) return;
    var data = JSON.parse(json.textContent), columns = null;
    figure.addEventListener('mousemove', function (event) {
      var svg = event.target.closest ? event.target.closest('svg[data-plot-left]') : null;
      if (!svg) { tip.hidden = true; return; }
      var box = svg.getBoundingClientRect(), width = svg.viewBox.baseVal.width;
      var x = (event.clientX - box.left) * width / box.width;
      var left = +svg.getAttribute('data-plot-left'), right = +svg.getAttribute('data-plot-right');
      if (Math.min(right, Math.max(left, x)) !== x) { tip.hidden = true; return; }
      var start = +svg.getAttribute('data-start'), end = +svg.getAttribute('data-end');
      var t = start + (x - left) / (right - left) * (end - start);
      columns = columns || decoded(data);
      var count = columns.length ? columns[0].length : 0;
      var k = Math.max(0, Math.min(count - 1, Math.round((t - data.start) / data.step)));
      var lines = [dayAndDate(data.start + k * data.step, data.start)];
      columns.forEach(function (column, i) {
        var v = column[k];
        if (v === '-') return;
        if (data.categories) v = data.categories[+v] || v;
        lines.push(data.labels[i] + ' \u2192 ' + v);
      });
      tip.textContent = lines.join('\n');
      tip.hidden = false;
      tip.style.left = (event.clientX + 16) + 'px';
      tip.style.top = (event.clientY + 16) + 'px';
    });
    figure.addEventListener('mouseleave', function () { tip.hidden = true; });
  });
})();
)";

}  // namespace hourglass::report
