// A small libcurl wrapper: JSON over HTTP POST, nothing else.
//
// Each HttpClient owns one CURL easy handle and reuses it for every call, so
// the connection to the API stays open between calls (HTTP keep-alive).
// THREADING: an HttpClient is not thread-safe and must not be shared across
// threads; give each thread its own (it is cheap). curl_global_init runs
// exactly once per process, on the first HttpClient constructed.
//
// Header values (the bearer token) are never logged, and never put into
// `transport_error`.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace hourglass::io {

struct HttpResponse {
  long status = 0;              // the HTTP status; 0 when no reply arrived
  std::string body;
  std::string transport_error;  // non-empty when no complete reply arrived
  bool timed_out = false;       // the call ran out of its time budget
};

class HttpClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) noexcept;

  // POSTs `body` as application/json. `timeout` bounds the whole call
  // (connect + send + reply); it is at least 1 ms. A header name or value
  // holding CR or LF is refused (transport_error) without sending anything.
  HttpResponse post_json(const std::string& url, const std::string& body, const Headers& headers,
                         std::chrono::milliseconds timeout);

 private:
  void* handle_ = nullptr;  // CURL*
};

}  // namespace hourglass::io
