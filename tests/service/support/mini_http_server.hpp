// A minimal HTTP/1.1 server on POSIX sockets for the fake campaign API:
// Content-Length bodies, keep-alive, one thread per connection (the clients
// under test hold a handful of kept-alive connections; each thread is named
// "fake-api", so profiles and the service benchmark's CPU figures can tell
// the fake from the service).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace hourglass::service::testing {

struct HttpRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct HttpReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class MiniHttpServer {
 public:
  // Called on the connection's thread, once per request, in order per connection.
  using Handler = std::function<HttpReply(const HttpRequest&)>;

  explicit MiniHttpServer(Handler handler) : handler_(std::move(handler)) {}
  ~MiniHttpServer() { stop(); }
  MiniHttpServer(const MiniHttpServer&) = delete;
  MiniHttpServer& operator=(const MiniHttpServer&) = delete;

  // Binds 127.0.0.1 on a free port (port 0: the kernel picks) and serves;
  // returns the port.
  int start();
  // Closes the listener and every connection, joins their threads.
  void stop();
  std::size_t connections() const { return accepted_; }

 private:
  struct Conn {
    int fd = -1;
    bool closed = false;  // guarded by mutex_
    std::thread thread;
  };

  void accept_loop();
  void serve(Conn* c);
  static bool send_all(int fd, const std::string& data);
  static const char* reason(int status);
  // Reads one request from `fd` (bytes past it stay in `buffer`).
  static std::optional<HttpRequest> read_request(int fd, std::string& buffer, bool& bad);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> accepted_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::list<std::unique_ptr<Conn>> conns_;
};

}  // namespace hourglass::service::testing
