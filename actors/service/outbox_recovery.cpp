#include "actors/service/outbox_recovery.hpp"

#include <spdlog/spdlog.h>

#include <memory>

namespace hourglass::actors {

outbox_recovery_actor::behavior_type outbox_recovery(outbox_recovery_actor::pointer self, store_actor store,
                                                     gateway_actor gateway, std::string context) {
  return {
      [=](outbox_atom, std::vector<std::string> ids) -> caf::result<std::size_t> {
        if (ids.empty()) {
          self->quit();
          return std::size_t{0};
        }
        struct Reads {
          std::size_t pending;
          std::size_t entries = 0;
          caf::typed_response_promise<std::size_t> promise;
        };
        auto reads = std::make_shared<Reads>(Reads{ids.size(), 0, self->make_response_promise<std::size_t>()});
        const auto read_one = [=] {
          if (--reads->pending > 0) return;
          reads->promise.deliver(reads->entries);
          self->quit();
        };
        for (const std::string& id : ids) {
          self->request(store, caf::infinite, outbox_atom::value, id)
              .then(
                  [=](std::vector<io::OutboxEntry>& outbox) {
                    if (!outbox.empty()) {
                      spdlog::debug("{}: campaign {}: {} committed write(s) were not done and go out now", context,
                                    id, outbox.size());
                      reads->entries += outbox.size();
                      self->send(gateway, outbox_atom::value, id, std::move(outbox));
                    }
                    read_one();
                  },
                  [=](caf::error& err) {
                    spdlog::error("{}: outbox of {} not read: {}", context, id, self->system().render(err));
                    read_one();
                  });
        }
        return reads->promise;
      },
  };
}

}  // namespace hourglass::actors
