// Typed, validated reads from nlohmann::json. Each throws InputError naming
// the JSON path of the fault, so codecs read as a list of expectations.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "messages/input_error.hpp"
#include "sim/amounts.hpp"
#include "sim/time.hpp"

namespace hourglass::messages {

using nlohmann::json;

std::string child_path(const std::string& path, std::string_view key);
std::string index_path(const std::string& path, std::size_t index);

const json& expect_object(const json& v, const std::string& path);
const json& expect_array(const json& v, const std::string& path);
// The member `key`, or nullptr when absent or null (absent and null mean the same).
const json* member(const json& obj, std::string_view key);
const json& require_member(const json& obj, std::string_view key, const std::string& path);
// The member `key`, which may be null but must be there: a GraphQL reply
// holds every field that was asked for, so an absent one is a broken reply.
const json& require_present(const json& obj, std::string_view key, const std::string& path);
void reject_unknown_keys(const json& obj, const std::string& path,
                         std::initializer_list<std::string_view> known);

std::string read_string(const json& v, const std::string& path, bool allow_empty = false);
bool read_bool(const json& v, const std::string& path);
// THE whole-number rule of every input: an integer, or a number with no
// fraction (5.0: the campaign API's versions are GraphQL Float!), within
// +-9e15 so that it is exact in a double. nullopt otherwise (5.5, "5", 1e300).
std::optional<std::int64_t> whole_number(const json& v);
// Whole numbers only (whole_number), within [min, max].
std::int64_t read_int(const json& v, const std::string& path, std::int64_t min = INT64_MIN,
                      std::int64_t max = INT64_MAX);
double read_number(const json& v, const std::string& path);
sim::WorldTime read_time(const json& v, const std::string& path);
// Minutes (>= min_minutes) converted to milliseconds.
sim::Duration read_minutes(const json& v, const std::string& path, double min_minutes);
// name -> whole number; `non_negative` for costs and holdings.
sim::Amounts read_amounts(const json& v, const std::string& path, bool non_negative);

}  // namespace hourglass::messages
