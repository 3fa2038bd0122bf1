// CSV export of report tables (RFC 4180), for designers who prefer a
// spreadsheet to the HTML report.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hourglass::report {

// The field as RFC 4180 writes it: quoted when it contains a comma, a double
// quote, CR or LF, with inner quotes doubled; unchanged otherwise.
std::string csv_escape(std::string_view field);
// The same, appended to `out` (no temporary: a timeline has millions of cells).
void append_csv_field(std::string& out, std::string_view field);

// The header line (omitted when `header` is empty) and then one line per
// row, each ended by "\n". Rows may differ in length; nothing is padded.
std::string render_csv(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows);

}  // namespace hourglass::report
