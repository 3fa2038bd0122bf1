#include "messages/json_read.hpp"

#include <cmath>

namespace hourglass::messages {
namespace {

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

[[noreturn]] void wrong_type(const json& v, const std::string& path, const char* expected) {
  throw InputError(path, std::string("expected ") + expected + ", got " + type_name(v));
}

}  // namespace

std::string child_path(const std::string& path, std::string_view key) {
  std::string p = path;
  p += '.';
  p += key;
  return p;
}

std::string index_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

const json& expect_object(const json& v, const std::string& path) {
  if (!v.is_object()) wrong_type(v, path, "an object");
  return v;
}

const json& expect_array(const json& v, const std::string& path) {
  if (!v.is_array()) wrong_type(v, path, "an array");
  return v;
}

const json* member(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

const json& require_member(const json& obj, std::string_view key, const std::string& path) {
  const json* v = member(obj, key);
  if (!v) throw InputError(child_path(path, key), "required field is missing");
  return *v;
}

const json& require_present(const json& obj, std::string_view key, const std::string& path) {
  expect_object(obj, path);
  auto it = obj.find(key);
  if (it == obj.end()) throw InputError(child_path(path, key), "required field is missing");
  return *it;
}

void reject_unknown_keys(const json& obj, const std::string& path,
                         std::initializer_list<std::string_view> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (std::string_view k : known) ok |= it.key() == k;
    if (!ok) throw InputError(child_path(path, it.key()), "unknown field");
  }
}

std::string read_string(const json& v, const std::string& path, bool allow_empty) {
  if (!v.is_string()) wrong_type(v, path, "a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() && !allow_empty) throw InputError(path, "must not be empty");
  return s;
}

bool read_bool(const json& v, const std::string& path) {
  if (!v.is_boolean()) wrong_type(v, path, "true or false");
  return v.get<bool>();
}

std::optional<std::int64_t> whole_number(const json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::int64_t read_int(const json& v, const std::string& path, std::int64_t min, std::int64_t max) {
  if (!v.is_number()) wrong_type(v, path, "a whole number");
  const std::optional<std::int64_t> whole = whole_number(v);
  if (!whole) {
    if (v.is_number_unsigned()) throw InputError(path, "number out of range");
    throw InputError(path, "expected a whole number, got " + v.dump());
  }
  const std::int64_t n = *whole;
  if (n < min || n > max)
    throw InputError(path, std::to_string(n) + " is out of range [" + std::to_string(min) + ", " +
                               (max == INT64_MAX ? std::string("...") : std::to_string(max)) +
                               "]");
  return n;
}

double read_number(const json& v, const std::string& path) {
  if (!v.is_number()) wrong_type(v, path, "a number");
  const double d = v.get<double>();
  if (!std::isfinite(d)) throw InputError(path, "must be finite");
  return d;
}

sim::WorldTime read_time(const json& v, const std::string& path) {
  if (!v.is_string()) wrong_type(v, path, "an ISO 8601 UTC time string");
  const auto& s = v.get_ref<const std::string&>();
  auto t = sim::parse_world_time(s);
  if (!t)
    throw InputError(path, "bad time \"" + s +
                               "\" (expected YYYY-MM-DDTHH:MM:SS[.sss]Z or +00:00, a real date)");
  return *t;
}

sim::Duration read_minutes(const json& v, const std::string& path, double min_minutes) {
  const double m = read_number(v, path);
  if (m < min_minutes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "must be at least %g minute(s)", min_minutes);
    throw InputError(path, buf);
  }
  if (m > 1e12) throw InputError(path, "is too large");
  return static_cast<sim::Duration>(std::llround(m * static_cast<double>(sim::kMsPerMinute)));
}

sim::Amounts read_amounts(const json& v, const std::string& path, bool non_negative) {
  expect_object(v, path);
  sim::Amounts out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string p = child_path(path, it.key());
    if (it.key().empty()) throw InputError(p, "resource name must not be empty");
    out.set(it.key(), read_int(*it, p, non_negative ? 0 : INT64_MIN / 4, INT64_MAX / 4));
  }
  return out;
}

}  // namespace hourglass::messages
