// Scenario files (SPEC §6): rules (inline, a path, or the defaults), initial
// campaigns, and the messages to replay (inline or a JSON-lines file). A
// scenario is validated whole before anything runs: a fault is refused with
// its JSON path, and nothing is half-run.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "actors/protocol.hpp"
#include "sim/rules.hpp"

namespace hourglass::runtime {

// A message as it would arrive on Redis. Its payload is validated when it is
// replayed: a bad message is refused on its own, it does not refuse the file.
struct RecordedMessage {
  std::string where;  // "$.messages[3]" or "file.jsonl:4", for logs
  std::string channel;
  nlohmann::json payload;  // a JSON string payload is the raw bytes from Redis
};

struct Scenario {
  std::string name;
  std::string description;
  sim::RulesPtr rules;
  std::vector<actors::CampaignSeed> campaigns;
  std::vector<RecordedMessage> messages;
};

// Throws messages::InputError naming the file and JSON path of the fault.
Scenario load_scenario(const std::string& file);
// The same for a parsed document; `base_dir` resolves relative paths.
Scenario parse_scenario(const nlohmann::json& doc, const std::string& base_dir,
                        const std::string& where);

std::string read_text_file(const std::string& file);  // throws InputError

}  // namespace hourglass::runtime
