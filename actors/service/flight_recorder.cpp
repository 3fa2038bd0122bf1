#include "actors/service/flight_recorder.hpp"

#include <spdlog/spdlog.h>

#include "actors/protocol.hpp"

namespace hourglass::actors {

std::string recorded_message_line(const std::string& channel, const messages::Message& message,
                                  const std::string& raw_payload, const std::optional<nlohmann::json>& fetched) {
  nlohmann::json line;
  if (const auto* advance = std::get_if<messages::WorldTimeAdvanced>(&message)) {
    // Rebuilt from the message: a resync advance has no payload of its own.
    line["channel"] = "campaign." + advance->campaign_id + ".worldTimeAdvanced";
    line["payload"] = {{"campaignId", advance->campaign_id},
                       {"previousTime", sim::format_world_time(advance->previous_time)},
                       {"newTime", sim::format_world_time(advance->new_time)}};
  } else if (channel.rfind("campaign.", 0) == 0) {
    line["channel"] = channel;
    // The payload as it arrived (messages/wire validated this very text).
    nlohmann::json payload = nlohmann::json::parse(raw_payload);
    if (fetched) payload["entity"] = *fetched;
    line["payload"] = std::move(payload);
  } else {
    // The campaign API's own entity.modified: recorded as the SPEC §6
    // message it became, so that a replay of the recording takes it too.
    const auto& m = std::get<messages::EntityModified>(message);
    line["channel"] = "campaign." + m.campaign_id + ".entityModified";
    nlohmann::json payload = {{"campaignId", m.campaign_id},
                              {"entityType", messages::entity_kind_name(m.kind)},
                              {"entityId", m.entity_id},
                              {"operation", messages::operation_name(m.operation)}};
    if (fetched) payload["entity"] = *fetched;
    line["payload"] = std::move(payload);
  }
  return line.dump() + "\n";
}

flight_recorder_actor::behavior_type flight_recorder(flight_recorder_actor::pointer self,
                                                     std::shared_ptr<std::FILE> file) {
  return {
      [=](records_atom, const std::string& line) {
        if (std::fwrite(line.data(), 1, line.size(), file.get()) != line.size() || std::fflush(file.get()) != 0)
          spdlog::error("flight recorder: writing failed; the recording is incomplete from here");
      },
      [=](flush_atom) {
        std::fflush(file.get());
        return true;
      },
  };
}

}  // namespace hourglass::actors
