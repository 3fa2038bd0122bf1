// The flight recorder (`hourglass serve --record FILE.jsonl`): every message
// the engine accepts, in the order each campaign handles it, as a line of a
// scenario `messages` file (SPEC §6). An entityModified whose entity was
// fetched from the API is recorded with that entity inline, and a resync
// advance as the worldTimeAdvanced it stands for, so that replaying the file
// from the same initial state reproduces the same records.
#pragma once

#include <caf/all.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "actors/protocol.hpp"
#include "messages/wire.hpp"

namespace hourglass::actors {

// One scenario message line (with its '\n'). `raw_payload` is the payload as
// it arrived (kept verbatim but for the fetched entity); `fetched` the
// entity read from the API, if any.
std::string recorded_message_line(const std::string& channel, const messages::Message& message,
                                  const std::string& raw_payload, const std::optional<nlohmann::json>& fetched);

// Appends lines to a file it owns and flushes each one (a crash loses at
// most the line being written). Runs detached: file I/O off the scheduler.
using flight_recorder_actor = caf::typed_actor<
    caf::reacts_to<records_atom, std::string>,  // one line, with its '\n'
    caf::replies_to<flush_atom>::with<bool>>;   // true once what came before is in the file

flight_recorder_actor::behavior_type flight_recorder(flight_recorder_actor::pointer self,
                                                     std::shared_ptr<std::FILE> file);

}  // namespace hourglass::actors
