// Test helpers: a minimal XML well-formedness checker, enough to prove that
// the report's SVG and HTML (which is written to be XML-well-formed too) have
// balanced, properly nested elements, quoted unique attributes, only
// predefined or numeric character references, no raw '<' or '&' in text, and
// exactly one root element. Not a validator: DTDs, CDATA and namespaces are
// out of scope because the report never writes them.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hourglass::report::test {

class XmlChecker {
 public:
  explicit XmlChecker(std::string_view doc) : doc_(doc) {}

  // Empty when well-formed, otherwise the first problem and its offset.
  std::string problem() {
    bool root_seen = false;
    while (pos_ < doc_.size() && error_.empty()) {
      if (doc_[pos_] != '<') {
        if (stack_.empty() && !is_space(doc_[pos_])) fail("text outside the root element");
        if (doc_[pos_] == '&') check_reference();
        ++pos_;
      } else if (starts_with("<!--")) {
        skip_past("-->");
      } else if (starts_with("<!DOCTYPE")) {
        if (root_seen) fail("DOCTYPE after the root element");
        skip_past(">");
      } else if (starts_with("<?")) {
        skip_past("?>");
      } else if (starts_with("</")) {
        close_tag();
      } else {
        if (stack_.empty() && root_seen) fail("second root element");
        root_seen = true;
        open_tag();
      }
    }
    if (error_.empty() && !stack_.empty()) fail("unclosed <" + stack_.back() + ">");
    if (error_.empty() && !root_seen) fail("no root element");
    return error_;
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  static bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }
  static bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
  }

  void fail(const std::string& what) {
    if (error_.empty()) error_ = what + " at offset " + std::to_string(pos_);
  }
  bool starts_with(std::string_view s) const { return doc_.substr(pos_, s.size()) == s; }
  char peek() const { return pos_ < doc_.size() ? doc_[pos_] : '\0'; }
  void skip_spaces() {
    while (pos_ < doc_.size() && is_space(doc_[pos_])) ++pos_;
  }
  void skip_past(std::string_view end) {
    const std::size_t found = doc_.find(end, pos_);
    if (found == std::string_view::npos) return fail("unterminated markup");
    pos_ = found + end.size();
  }

  std::string name() {
    const std::size_t start = pos_;
    if (!is_name_start(peek())) {
      fail("bad name");
      return {};
    }
    while (is_name_char(peek())) ++pos_;
    return std::string(doc_.substr(start, pos_ - start));
  }

  // At '&': one of the five predefined entities or a numeric reference.
  void check_reference() {
    const std::size_t semicolon = doc_.find(';', pos_);
    if (semicolon == std::string_view::npos) return fail("bare '&'");
    const std::string_view ref = doc_.substr(pos_ + 1, semicolon - pos_ - 1);
    static const std::set<std::string_view> kPredefined = {"amp", "lt", "gt", "quot", "apos"};
    if (kPredefined.count(ref)) return;
    const bool hex = ref.size() > 2 && ref[0] == '#' && ref[1] == 'x' &&
                     ref.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string_view::npos;
    const bool dec = ref.size() > 1 && ref[0] == '#' &&
                     ref.find_first_not_of("0123456789", 1) == std::string_view::npos;
    if (!hex && !dec) fail("bad reference '&" + std::string(ref) + ";'");
  }

  void open_tag() {
    ++pos_;  // '<'
    std::string element = name();
    std::set<std::string> attributes;
    while (error_.empty()) {
      const bool spaced = is_space(peek());
      skip_spaces();
      if (starts_with("/>")) {
        pos_ += 2;
        return;
      }
      if (peek() == '>') {
        ++pos_;
        stack_.push_back(element);
        return;
      }
      if (!spaced) return fail("attributes must be separated by spaces");
      const std::string attribute = name();
      if (!attributes.insert(attribute).second) return fail("duplicate attribute " + attribute);
      skip_spaces();
      if (peek() != '=') return fail("attribute without '='");
      ++pos_;
      skip_spaces();
      const char quote = peek();
      if (quote != '"' && quote != '\'') return fail("unquoted attribute value");
      for (++pos_; error_.empty() && peek() != quote; ++pos_) {
        if (pos_ >= doc_.size()) return fail("unterminated attribute value");
        if (peek() == '<') return fail("'<' in attribute value");
        if (peek() == '&') check_reference();
      }
      ++pos_;  // closing quote
    }
  }

  void close_tag() {
    pos_ += 2;  // "</"
    const std::string element = name();
    skip_spaces();
    if (peek() != '>') return fail("malformed end tag");
    ++pos_;
    if (stack_.empty() || stack_.back() != element) return fail("mismatched </" + element + ">");
    stack_.pop_back();
  }

  std::string_view doc_;
  std::size_t pos_ = 0;
  std::vector<std::string> stack_;  // open elements, innermost last
  std::string error_;
};

inline std::string xml_problem(std::string_view doc) { return XmlChecker(doc).problem(); }

inline std::size_t count_of(std::string_view haystack, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size()))
    ++count;
  return count;
}

}  // namespace hourglass::report::test
