// Entities as JSON (scenario files, entityModified payloads, API replies):
// read into patches (sim/patch.hpp). `complete` demands every field a new
// entity needs (load, CREATE); otherwise only the given fields are read
// (UPDATE). Unknown fields are ignored: the campaign API sends more than the
// engine needs. Rules are needed to check structure types and level ranges.
#pragma once

#include "messages/json_read.hpp"
#include "sim/patch.hpp"
#include "sim/rules.hpp"

namespace hourglass::messages {

sim::SettlementPatch read_settlement(const json& v, const std::string& path,
                                     const sim::Rules& rules, bool complete);
sim::StructurePatch read_structure(const json& v, const std::string& path,
                                   const sim::Rules& rules, bool complete);
sim::EventPatch read_event(const json& v, const std::string& path, bool complete);
sim::EffectPatch read_effect(const json& v, const std::string& path, bool complete);

}  // namespace hourglass::messages
