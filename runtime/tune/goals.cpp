#include "runtime/tune/goals.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "messages/input_error.hpp"

namespace hourglass::runtime::tune {
namespace {

using messages::InputError;

constexpr double kMsPerDay = 24.0 * 60 * sim::kMsPerMinute;

// Reads the goal's tokens left to right; every refusal says where.
class GoalReader {
 public:
  explicit GoalReader(const std::string& text) : text_(text) {}

  [[noreturn]] void fail(const std::string& expected) const {
    throw InputError("--goal \"" + text_ + "\"", "at position " + std::to_string(at_ + 1) + ": expected " + expected);
  }

  void skip_spaces() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool done() {
    skip_spaces();
    return at_ == text_.size();
  }

  std::string word() {
    skip_spaces();
    const std::size_t start = at_;
    if (at_ < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_'))
      while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) ++at_;
    return text_.substr(start, at_ - start);
  }

  // The keyword, or a refusal at its start.
  void keyword(const std::string& expected, const std::string& what) {
    skip_spaces();
    const std::size_t start = at_;
    if (word() != expected) {
      at_ = start;
      fail(what);
    }
  }

  Comparison comparison() {
    skip_spaces();
    static const std::pair<const char*, Comparison> kOps[] = {{">=", Comparison::AtLeast}, {"<=", Comparison::AtMost},
                                                              {"==", Comparison::Equal},   {">", Comparison::Above},
                                                              {"<", Comparison::Below}};
    for (const auto& [op, comparison] : kOps) {
      if (text_.compare(at_, std::char_traits<char>::length(op), op) == 0) {
        at_ += std::char_traits<char>::length(op);
        return comparison;
      }
    }
    fail("a comparison: >=, >, <=, < or ==");
  }

  // A decimal: optional '-', digits, optional '.' and digits.
  double number(bool allow_negative, const std::string& what) {
    skip_spaces();
    const std::size_t start = at_;
    std::size_t i = at_;
    if (allow_negative && i < text_.size() && text_[i] == '-') ++i;
    const std::size_t digits = i;
    while (i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]))) ++i;
    if (i == digits) fail(what);
    if (i < text_.size() && text_[i] == '.') {
      const std::size_t fraction = ++i;
      while (i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]))) ++i;
      if (i == fraction) fail(what);
    }
    at_ = i;
    return std::strtod(text_.substr(start, i - start).c_str(), nullptr);
  }

 private:
  const std::string& text_;
  std::size_t at_ = 0;
};

}  // namespace

Goal parse_goal(const std::string& text) {
  if (text.size() > kMaxGoalText)
    throw InputError("--goal", "a goal of " + std::to_string(text.size()) + " characters; at most " +
                                   std::to_string(kMaxGoalText));
  GoalReader in(text);
  Goal goal;
  goal.text = text.substr(0, text.find_last_not_of(" \t") + 1);
  goal.text.erase(0, std::min(goal.text.size(), goal.text.find_first_not_of(" \t")));
  goal.metric = in.word();
  if (goal.metric.empty()) in.fail("what to judge: level, population or a resource's name");
  goal.comparison = in.comparison();
  goal.threshold = in.number(true, "a number (e.g. 3, 2000, 0.5)");
  const std::string when_words = "\"by day N\", \"throughout\" or \"at end\"";
  if (in.done()) in.fail(when_words);
  const std::string saved_word = [&] {
    GoalReader peek = in;
    return peek.word();
  }();
  if (saved_word == "by") {
    in.word();
    in.keyword("day", "\"day\" (as in \"by day 60\")");
    goal.when = GoalWhen::ByDay;
    goal.day = in.number(false, "the day: a number at least 0 (days since the start)");
  } else if (saved_word == "throughout") {
    in.word();
    goal.when = GoalWhen::Throughout;
  } else if (saved_word == "at") {
    in.word();
    in.keyword("end", "\"end\" (as in \"at end\")");
    goal.when = GoalWhen::AtEnd;
  } else {
    in.skip_spaces();
    in.fail(when_words);
  }
  if (!in.done()) in.fail("nothing more after the goal's end");
  return goal;
}

bool compares(Comparison comparison, double value, double threshold) {
  switch (comparison) {
    case Comparison::AtLeast: return value >= threshold;
    case Comparison::Above: return value > threshold;
    case Comparison::AtMost: return value <= threshold;
    case Comparison::Below: return value < threshold;
    case Comparison::Equal: return value == threshold;
  }
  return false;
}

bool goal_met(const Goal& goal, const Steps& series, sim::WorldTime start) {
  auto passes = [&](double value) { return compares(goal.comparison, value, goal.threshold); };
  if (series.empty()) return passes(0);
  switch (goal.when) {
    case GoalWhen::AtEnd: return passes(series.back().value);
    case GoalWhen::Throughout:
      return std::all_of(series.begin(), series.end(), [&](const report::Point& p) { return passes(p.value); });
    case GoalWhen::ByDay: {
      const std::optional<double> day = first_day(series, start, passes);
      return day && *day <= goal.day;
    }
  }
  return false;
}

std::optional<double> first_day(const Steps& series, sim::WorldTime start, const std::function<bool(double)>& test) {
  if (series.empty()) return test(0) ? std::optional<double>(0.0) : std::nullopt;
  for (const report::Point& p : series)
    if (test(p.value)) return std::max(0.0, static_cast<double>(p.time_ms - start) / kMsPerDay);
  return std::nullopt;
}

}  // namespace hourglass::runtime::tune
