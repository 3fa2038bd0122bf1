#include "runtime/service/resync_policy.hpp"

namespace hourglass::service {

ResyncPolicy resync_policy(const InputSelection& input) {
  if (input.stream)
    return {false, false,
            "the stream holds every message in order; the API's clock may be ahead of what it has delivered"};
  if (input.channels || input.campaign_manager)
    return {true, true, "pub/sub loses what is published while Hourglass is not subscribed"};
  return {false, false, "no input"};
}

}  // namespace hourglass::service
