// Reading a running `hourglass serve`'s status server from a test: its
// /metrics text, and a series out of it.
#pragma once

#include <string>

namespace hourglass::service::testing {

// GET /metrics on 127.0.0.1:`port`; empty when nothing answered.
std::string scrape_metrics(int port);
// A series with no labels in a /metrics text; -1 when it is not there.
double unlabelled_metric(const std::string& text, const std::string& name);

}  // namespace hourglass::service::testing
