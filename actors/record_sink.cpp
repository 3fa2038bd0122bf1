#include "actors/record_sink.hpp"

#include "actors/protocol.hpp"

namespace hourglass::actors {

caf::behavior record_sink(caf::event_based_actor* self, std::shared_ptr<RecordOutput> out) {
  return {
      [=](records_atom, const std::string& text) { out->write(text); },
      [=](flush_atom) {
        out->flush();
        return true;
      },
  };
}

}  // namespace hourglass::actors
