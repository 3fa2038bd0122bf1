#include "tests/service/support/mini_http_server.hpp"

#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <stdexcept>

namespace hourglass::service::testing {

int MiniHttpServer::start() {
  stopping_ = false;  // a stopped server may be started again
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("fake API: socket() failed");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    throw std::runtime_error("fake API: cannot bind/listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
  return port_;
}

void MiniHttpServer::stop() {
  if (listen_fd_ < 0) return;
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  std::list<std::unique_ptr<Conn>> conns;
  {
    std::lock_guard lock(mutex_);
    for (auto& c : conns_)
      if (!c->closed) ::shutdown(c->fd, SHUT_RDWR);  // wakes recv()
    conns.swap(conns_);
  }
  for (auto& c : conns)
    if (c->thread.joinable()) c->thread.join();
}

void MiniHttpServer::accept_loop() {
  pthread_setname_np(pthread_self(), "fake-api");  // so profiles and CPU figures can tell the fake from the service
  while (!stopping_) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR && !stopping_) continue;
      return;
    }
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    ++accepted_;
    auto conn = std::make_unique<Conn>();
    conn->fd = fd;
    Conn* c = conn.get();
    conns_.push_back(std::move(conn));
    c->thread = std::thread([this, c] { serve(c); });
  }
}

bool MiniHttpServer::send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

const char* MiniHttpServer::reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 413: return "Payload Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::optional<HttpRequest> MiniHttpServer::read_request(int fd, std::string& buffer, bool& bad) {
  constexpr std::size_t kMaxHead = 64 * 1024, kMaxBody = 8 * 1024 * 1024;
  char chunk[16 * 1024];
  auto fill = [&]() {
    for (;;) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  };
  std::size_t head_end;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (buffer.size() > kMaxHead || !fill()) return std::nullopt;
  }
  HttpRequest req;
  const std::string head = buffer.substr(0, head_end);
  buffer.erase(0, head_end + 4);
  std::size_t pos = head.find("\r\n");
  const std::string request_line = head.substr(0, pos);
  const std::size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) {
    bad = true;
    return std::nullopt;
  }
  req.method = request_line.substr(0, sp1);
  req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (pos != std::string::npos) {
    const std::size_t start = pos + 2;
    pos = head.find("\r\n", start);
    const std::string line = head.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    req.headers[name] = value;
  }
  if (req.headers.count("transfer-encoding")) {
    bad = true;
    return std::nullopt;
  }
  std::size_t length = 0;
  if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
    try {
      length = std::stoul(it->second);
    } catch (...) {
      bad = true;
      return std::nullopt;
    }
  }
  if (length > kMaxBody) {
    bad = true;
    return std::nullopt;
  }
  if (auto it = req.headers.find("expect"); it != req.headers.end() && it->second == "100-continue")
    send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n");
  while (buffer.size() < length)
    if (!fill()) return std::nullopt;
  req.body = buffer.substr(0, length);
  buffer.erase(0, length);
  return req;
}

void MiniHttpServer::serve(Conn* c) {
  pthread_setname_np(pthread_self(), "fake-api");
  std::string buffer;
  for (;;) {
    bool bad = false;
    std::optional<HttpRequest> req = read_request(c->fd, buffer, bad);
    if (!req) {
      if (bad) send_all(c->fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      break;
    }
    HttpReply reply;
    try {
      reply = handler_(*req);
    } catch (const std::exception& e) {
      reply = HttpReply{500, std::string("fake API handler threw: ") + e.what(), "text/plain"};
    }
    const auto conn = req->headers.find("connection");
    const bool keep_alive = !(conn != req->headers.end() && conn->second == "close") && !stopping_;
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) +
                      "\r\nContent-Type: " + reply.content_type +
                      "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                      (keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n") +
                      reply.body;
    if (!send_all(c->fd, out) || !keep_alive) break;
  }
  std::lock_guard lock(mutex_);
  ::close(c->fd);
  c->closed = true;
}
}  // namespace hourglass::service::testing
