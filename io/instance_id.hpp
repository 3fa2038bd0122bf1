// This process's name among the instances on one Redis, in the partition
// leases (io/partition_lease): "<hostname>-<pid>-<6 random hex digits>".
//
// The form is read back for one decision: whether a lease's holder is a
// previous life of this process that died without releasing it (kill -9, a
// crash, a container restarted in place). Such a holder is gone, and its
// leases are taken over at once rather than after their expiry, so a
// single instance restarted after a crash owns every partition again from
// its first message on. The fence keeps this safe even if the guess were
// wrong: a campaign claimed by the new life refuses the old one's commits.
#pragma once

#include <string>

namespace hourglass::io {

std::string make_instance_id();

// `holder` (an instance id) ran on this host (the same hostname as `me`),
// is not `me`, and its pid no longer runs here or is this process's own (a
// container restarted in place gets the same pid). False for any text not
// of that form.
bool previous_life(const std::string& holder, const std::string& me);

}  // namespace hourglass::io
