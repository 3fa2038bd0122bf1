// Backoff is header-only; this file anchors the hourglass_service library
// (its translation units are globbed) and checks the header stands alone.
#include "io/backoff.hpp"
