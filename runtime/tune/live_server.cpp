// cpp-httplib's macros (OpenSSL, zlib, brotli) come from CMake: PkgConfig::HTTPLIB.
#include <httplib.h>

#include "runtime/tune/live_server.hpp"

#include <chrono>
#include <stdexcept>

#include "messages/input_error.hpp"

namespace hourglass::runtime::tune {
namespace {

// The variant a request names, or a 400 answer saying why not.
bool variant_of(const LiveTuner& tuner, const httplib::Request& req, httplib::Response& res, std::size_t& v) {
  try {
    v = tuner.parse_index(req.has_param("v") ? req.get_param_value("v") : "");
    return true;
  } catch (const messages::InputError& e) {
    res.status = 400;
    res.set_content(std::string(e.what()) + "\n", "text/plain");
    return false;
  }
}

// The body with its length, which httplib sends as it is: Debian's httplib
// would otherwise brotli-compress a 1.5 MB report for Chromium (it asks for
// br), which takes seconds, far over live tuning's budget on a local link.
void set_uncompressed(httplib::Response& res, std::string text, const char* type) {
  auto body = std::make_shared<std::string>(std::move(text));
  res.set_content_provider(body->size(), type,
                           [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             sink.write(body->data() + offset, length);
                             return true;
                           });
}

}  // namespace

LiveServer::LiveServer(LiveTuner& tuner) : tuner_(tuner), server_(std::make_unique<httplib::Server>()) {
  server_->Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(tuner_.page(), "text/html; charset=utf-8");
  });
  server_->Get("/run", [this](const httplib::Request& req, httplib::Response& res) {
    std::size_t v = 0;
    if (!variant_of(tuner_, req, res, v)) return;
    try {
      set_uncompressed(res, tuner_.run_report(v), "text/html; charset=utf-8");
    } catch (const std::exception& e) {
      res.status = 500;
      res.set_content(std::string("the replay failed: ") + e.what() + "\n", "text/plain");
    }
  });
  // Browsers ask for it; an answer keeps the page free of console errors.
  server_->Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  server_->Get("/rules", [this](const httplib::Request& req, httplib::Response& res) {
    std::size_t v = 0;
    if (!variant_of(tuner_, req, res, v)) return;
    res.set_header("Content-Disposition", "attachment; filename=\"rules-" + std::to_string(v) + ".json\"");
    res.set_content(tuner_.rules_file(v), "application/json");
  });
}

LiveServer::~LiveServer() { stop(); }

int LiveServer::start(int port) {
  const int bound = port == 0 ? server_->bind_to_any_port("127.0.0.1")
                              : (server_->bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) throw std::runtime_error("tune --serve: cannot listen on 127.0.0.1:" + std::to_string(port));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // The socket listens already; stop() before the accept loop runs would be lost.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return bound;
}

void LiveServer::stop() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void LiveServer::wait() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace hourglass::runtime::tune
