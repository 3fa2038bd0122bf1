#include "io/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace hourglass::io {
namespace {

std::once_flag g_curl_init;

void init_curl_once() {
  std::call_once(g_curl_init, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  });
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

bool has_line_break(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

}  // namespace

HttpClient::HttpClient() {
  init_curl_once();
  CURL* h = curl_easy_init();
  if (!h) throw std::runtime_error("curl_easy_init failed");
  // Options that never change between calls.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: safe in threads
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
  handle_ = h;
}

HttpClient::~HttpClient() {
  if (handle_) curl_easy_cleanup(static_cast<CURL*>(handle_));
}

HttpClient::HttpClient(HttpClient&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
  if (this != &other) {
    if (handle_) curl_easy_cleanup(static_cast<CURL*>(handle_));
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

HttpResponse HttpClient::post_json(const std::string& url, const std::string& body,
                                   const Headers& headers, std::chrono::milliseconds timeout) {
  HttpResponse r;
  CURL* h = static_cast<CURL*>(handle_);
  if (!h) {
    r.transport_error = "HttpClient has no handle (moved from)";
    return r;
  }

  curl_slist* list = nullptr;
  auto add = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) throw std::bad_alloc();
    list = next;
  };
  try {
    add("Content-Type: application/json");
    add("Accept: application/json");
    add("Expect:");  // no 100-continue round trip for larger bodies
    for (const auto& [name, value] : headers) {
      if (name.empty() || has_line_break(name) || has_line_break(value)) {
        curl_slist_free_all(list);
        r.transport_error = "refused header \"" + (has_line_break(name) ? std::string("?") : name) +
                            "\": its name or value holds a line break";
        return r;
      }
      add(name + ": " + value);
    }
  } catch (...) {
    curl_slist_free_all(list);
    throw;
  }

  char errbuf[CURL_ERROR_SIZE] = {0};
  const long ms = static_cast<long>(std::max<std::chrono::milliseconds::rep>(1, timeout.count()));
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);

  const CURLcode rc = curl_easy_perform(h);

  // The handle outlives this call: drop pointers into this stack frame.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
  curl_slist_free_all(list);

  if (rc != CURLE_OK) {
    r.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    r.transport_error = curl_easy_strerror(rc);
    if (errbuf[0]) r.transport_error += std::string(": ") + errbuf;
    r.body.clear();
    return r;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

}  // namespace hourglass::io
