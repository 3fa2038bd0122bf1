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

// The other way: a whole entity in the scenario layout, with its overrides
// back under the `variables` names read above, so that reading it again
// gives the same entity (checkpoints rely on it). Times in SPEC §1 form.
json settlement_json(const sim::Settlement& s);  // includes the hidden `carry`
json structure_json(const sim::Structure& s);
json event_json(const sim::Event& e);
json effect_json(const sim::Effect& e);

// An entity's `variables` as the engine sees them: only the rule overrides
// it knows (settlement or structure), written back under their names; any
// other variable dropped. Throws InputError for an override it cannot read.
json known_settlement_variables(const json& variables, const std::string& path);
json known_structure_variables(const json& variables, const std::string& path);

}  // namespace hourglass::messages
