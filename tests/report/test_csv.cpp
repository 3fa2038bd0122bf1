#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "report/csv.hpp"

using hourglass::report::csv_escape;
using hourglass::report::render_csv;

namespace {

using Rows = std::vector<std::vector<std::string>>;

// An independent RFC 4180 reader, so that round trips prove the writer's
// output means what it was given.
Rows parse_csv(const std::string& text) {
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
    }
  }
  return rows;
}

}  // namespace

TEST_CASE("csv_escape leaves plain fields alone", "[report][csv]") {
  CHECK(csv_escape("baseline") == "baseline");
  CHECK(csv_escape("") == "");
  CHECK(csv_escape("  spaced  ") == "  spaced  ");
  CHECK(csv_escape("-12.5") == "-12.5");
  CHECK(csv_escape("caf\xC3\xA9") == "caf\xC3\xA9");
}

TEST_CASE("csv_escape quotes commas, quotes and line breaks", "[report][csv]") {
  CHECK(csv_escape("a,b") == "\"a,b\"");
  CHECK(csv_escape("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_escape("\"") == "\"\"\"\"");
  CHECK(csv_escape("line\nbreak") == "\"line\nbreak\"");
  CHECK(csv_escape("carriage\rreturn") == "\"carriage\rreturn\"");
  CHECK(csv_escape("crlf\r\n") == "\"crlf\r\n\"");
}

TEST_CASE("render_csv writes a header then rows, each ending in LF", "[report][csv]") {
  const std::string csv = render_csv({"rule set", "population"}, {{"baseline", "31"}, {"fast, cheap", "97"}});
  CHECK(csv == "rule set,population\nbaseline,31\n\"fast, cheap\",97\n");
  CHECK(csv.find('\r') == std::string::npos);
}

TEST_CASE("render_csv omits an empty header and writes nothing for no data", "[report][csv]") {
  CHECK(render_csv({}, {{"a", "b"}}) == "a,b\n");
  CHECK(render_csv({}, {}).empty());
  CHECK(render_csv({"only", "header"}, {}) == "only,header\n");
}

TEST_CASE("render_csv round-trips awkward fields through an RFC 4180 reader", "[report][csv]") {
  const std::vector<std::string> header = {"label", "note"};
  const Rows rows = {{"a,b", "\"quoted\""}, {"multi\nline", ""}, {"cr\rhere", "\"\""}, {",", "plain"}};
  Rows expected = rows;
  expected.insert(expected.begin(), header);
  CHECK(parse_csv(render_csv(header, rows)) == expected);
}
