// A fixture for the layering test: sim/ may not include an actor.
#pragma once
#include "actors/campaign_actor.hpp"
