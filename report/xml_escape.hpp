// Escaping of text for SVG and HTML output, in both element content and
// attribute values.
#pragma once

#include <string>
#include <string_view>

namespace hourglass::report {

// Replaces & < > " ' by character references. Control characters that XML 1.0
// forbids outright (even as references) become U+FFFD, so that any label
// yields a well-formed document. Text is expected to be UTF-8.
std::string xml_escape(std::string_view text);

}  // namespace hourglass::report
