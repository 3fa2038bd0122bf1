// A fixture for the layering test: messages/ may include sim/ (allowed).
#pragma once
#include "sim/time.hpp"
