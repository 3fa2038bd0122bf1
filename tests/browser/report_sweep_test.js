// A tuning report in a real headless Chromium, driven through the DevTools
// protocol (puppeteer-core, Debian's /usr/bin/chromium): the sweep summary's
// charts and heat maps render at their fixed size, hovering a point reaches
// the point and its <title> holds its value, each metric's small multiples
// wrap in several columns, the table of contents leads to the sweep, and the
// page logs no error. Screenshots go to ARTIFACT_DIR.
// Hovering a time chart shows each line's value on the nearest day, the value
// timeline-long.csv holds then.
// Usage: node report_sweep_test.js REPORT_HTML ARTIFACT_DIR LONG_CSV
'use strict';
const fs = require('fs');
const path = require('path');
const { runBrowserTest } = require('./harness');

const [report, artifacts, longCsv] = process.argv.slice(2);

// The value each variant's `metric` of `entity` holds at `when` (ms) in
// timeline-long.csv (time,day,variant,entity,metric,value; a value holds
// until the next row of its series).
function csvValuesAt(file, entity, metric, when) {
  const values = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    const cells = line.split(',');
    if (cells.length !== 6 || cells[3] !== entity || cells[4] !== metric) continue;
    if (Date.parse(cells[0]) <= when) values.set(cells[2], Number(cells[5]));
  }
  return values;
}

runBrowserTest(artifacts, `sweep charts and heat maps render, hover reaches a point's value; screenshots in ${artifacts}`,
  async ({ page, check, failures }) => {
    await page.goto('file://' + path.resolve(report), { waitUntil: 'load', timeout: 120000 });

    // Every sweep chart keeps its fixed size, with its points drawn inside it.
    const charts = await page.$$eval('svg.sweep-chart', (svgs) => svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      const inside = [...svg.querySelectorAll('circle')].every((c) => {
        const b = c.getBoundingClientRect();
        return b.width > 0 && b.left >= box.left - 1 && b.right <= box.right + 1 && b.top >= box.top - 1 &&
               b.bottom <= box.bottom + 1;
      });
      return { width: box.width, height: box.height, points: svg.querySelectorAll('circle').length, inside };
    }));
    check(charts.length >= 2, `expected sweep charts, found ${charts.length}`);
    check(charts.every((c) => c.width === 320 && c.height === 200),
          'every sweep chart is 320x200: ' + JSON.stringify(charts.map((c) => [c.width, c.height])));
    check(charts.some((c) => c.points >= 15), 'a chart has a point per variant (15)');
    check(charts.every((c) => c.inside), 'every point lies inside its chart');

    // The heat maps: one cell per pair of values, painted.
    const maps = await page.$$eval('svg.heat-map', (svgs) => svgs.map((svg) => ({
      cells: svg.querySelectorAll('rect').length,
      height: svg.getBoundingClientRect().height,
      painted: [...svg.querySelectorAll('rect')].every((r) => getComputedStyle(r).fill !== 'none'),
    })));
    check(maps.length >= 1, `expected heat maps, found ${maps.length}`);
    check(maps.every((m) => m.cells === 15 && m.height > 0 && m.painted), 'each heat map has 15 painted cells');

    // Hovering a point: the element under the mouse is that point, and its
    // title (what the browser shows on hover) holds the variant and value.
    const first = await page.$('svg.sweep-chart circle');
    if (!first) throw new Error('no point to hover; so far: ' + failures.join('; '));
    await first.scrollIntoView();
    const box = await first.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hovered = await page.evaluate(({ x, y }) => {
      const el = document.elementFromPoint(x, y);
      const circle = el && el.closest('circle');
      return circle ? circle.querySelector('title').textContent : (el ? el.tagName : 'nothing');
    }, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    check(/^populationGrowthRate=[0-9.]+ gold=[0-9]+: [0-9.]+/.test(hovered), `hovering a point shows its value: "${hovered}"`);
    fs.writeFileSync(path.join(artifacts, 'hovered-point.txt'), hovered + '\n');

    // Small multiples: with 15 rule sets each metric is a grid of small charts,
    // one per rule set at a fixed size, several to a row at 1400 px.
    const grids = await page.$$eval('figure.chart .multiples', (divs) => divs.map((div) => {
      const boxes = [...div.querySelectorAll('svg.panel')].map((svg) => svg.getBoundingClientRect());
      return {
        panels: boxes.length,
        columns: new Set(boxes.map((b) => Math.round(b.left))).size,
        rows: new Set(boxes.map((b) => Math.round(b.top))).size,
        fixed: boxes.every((b) => b.width === 300 && b.height === 200),
      };
    }));
    check(grids.length >= 1, `expected grids of small charts, found ${grids.length}`);
    check(grids.every((g) => g.panels === 15), 'a panel per rule set (15): ' + JSON.stringify(grids.map((g) => g.panels)));
    check(grids.every((g) => g.columns > 1 && g.rows > 1 && g.rows < 15),
          'the grid wraps in several columns: ' + JSON.stringify(grids.slice(0, 3)));
    check(grids.every((g) => g.fixed), 'every panel is 300x200');
    const firstGrid = await page.$('figure.chart');
    if (firstGrid) {
      await firstGrid.scrollIntoView();
      await firstGrid.screenshot({ path: path.join(artifacts, 'small-multiples.png') });
    }

    // Hovering a time chart on day 30: the tooltip names the day and its UTC
    // date, and every rule set's value then, as timeline-long.csv has it.
    const figure = await page.$('figure.chart[data-title="s1 population"]');
    if (!figure) throw new Error('no chart "s1 population"; so far: ' + failures.join('; '));
    await figure.scrollIntoView();
    const target = await figure.evaluate((fig) => {
      const data = JSON.parse(fig.querySelector('script.hover-data').textContent);
      const svg = fig.querySelector('svg[data-plot-left]');
      const box = svg.getBoundingClientRect();
      const left = +svg.getAttribute('data-plot-left'), right = +svg.getAttribute('data-plot-right');
      const start = +svg.getAttribute('data-start'), end = +svg.getAttribute('data-end');
      const when = data.start + 30 * 86400000;
      const x = left + (when - start) / (end - start) * (right - left);
      return { x: box.left + x * box.width / svg.viewBox.baseVal.width, y: box.top + box.height / 2, when };
    });
    await page.mouse.move(target.x, target.y);
    const tip = await page.$eval('#hover-tip', (el) => ({ text: el.textContent, shown: !el.hidden }));
    fs.writeFileSync(path.join(artifacts, 'hover-tooltip.txt'), tip.text + '\n');
    const lines = tip.text.split('\n');
    const date = new Date(target.when).toISOString();
    check(tip.shown, 'the tooltip is shown');
    check(lines[0] === `day 30 (${date.slice(0, 10)} ${date.slice(11, 16)} UTC)`, `the tooltip names day 30: "${lines[0]}"`);
    const expected = csvValuesAt(longCsv, 's1', 'population', target.when);
    check(expected.size === 15 && lines.length === 16, `a value per rule set: ${expected.size} in the CSV, ${lines.length - 1} shown`);
    for (const line of lines.slice(1)) {
      const [label, value] = line.split(' \u2192 ');
      const want = expected.get(label);
      check(want !== undefined && Math.abs(Number(value) - want) <= 1e-5 * Math.max(1, Math.abs(want)),
            `${label}: shown ${value}, timeline-long.csv ${want}`);
    }
    // The viewport as it is: the tooltip is position: fixed, which a capture
    // beyond the viewport would place elsewhere.
    await page.screenshot({ path: path.join(artifacts, 'hover-tooltip.png'), captureBeyondViewport: false });

    // The table of contents leads to the sweep.
    await page.click('nav.toc a[href="#sweep-1"]');
    check(await page.evaluate(() => location.hash === '#sweep-1'), 'the contents link to #sweep-1');

    await page.screenshot({ path: path.join(artifacts, 'report-top.png') });
    const sweep = await page.$('section.sweep');
    await sweep.screenshot({ path: path.join(artifacts, 'sweep-charts.png') });
    const heat = await page.$$('section.sweep');
    await heat[heat.length - 1].screenshot({ path: path.join(artifacts, 'heat-maps.png') });
  });
