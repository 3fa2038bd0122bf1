#include "tests/service/support/status_scrape.hpp"

#include <httplib.h>

namespace hourglass::service::testing {

std::string scrape_metrics(int port) {
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/metrics");
  return res ? res->body : std::string();
}

double unlabelled_metric(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

}  // namespace hourglass::service::testing
