// What an actor does with an exception escaping a handler: it ends with an
// error that carries the exception's message (instead of CAF's default,
// which prints to stderr), so that its supervisor logs why it was restarted.
#pragma once

#include <caf/all.hpp>
#include <exception>

namespace hourglass::actors {

inline caf::error exception_to_error(caf::scheduled_actor*, std::exception_ptr& eptr) {
  try {
    std::rethrow_exception(eptr);
  } catch (const std::exception& e) {
    return caf::make_error(caf::sec::runtime_error, e.what());
  } catch (...) {
    return caf::make_error(caf::sec::runtime_error, "unknown exception");
  }
}

}  // namespace hourglass::actors
