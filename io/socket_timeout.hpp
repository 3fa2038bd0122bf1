// A timeout as the `timeval` hiredis takes (connect and socket I/O), never
// zero: hiredis reads a zero timeval as "block for ever".
#pragma once

#include <sys/time.h>

#include <chrono>

namespace hourglass::io {

inline timeval to_timeval(std::chrono::milliseconds d) {
  if (d.count() < 1) d = std::chrono::milliseconds(1);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

}  // namespace hourglass::io
