// A login session with the campaign API (API_AUTH=login): the access token
// every CampaignApi of the process sends, kept valid.
//
//   - the first token() logs in: POST <base>/auth/login {email, password};
//   - the access token is refreshed BEFORE it expires (the `exp` claim of the
//     JWT, read by messages/auth_codec; the real API's login reply carries no
//     expiresIn): at exp - min(60 s, lifetime / 5), POST <base>/auth/refresh
//     {refreshToken}. A token without a readable exp is refreshed only when
//     the API refuses it;
//   - renew(rejected) after an Unauthorized reply refreshes, unless another
//     caller has already replaced the rejected token;
//   - a refused refresh token (HTTP 4xx) leads to a login;
//   - ONE request in flight to the auth routes at a time: every other caller
//     waits for it and takes its outcome (N gateway workers whose token
//     expired together cause one refresh);
//   - never more than `max_requests` auth requests in any `window` (the API
//     throttles each route to 10 a minute); HTTP 429 is waited out (doubling
//     from `rate_limited_wait`), the whole wait bounded by `max_wait`;
//   - after a failure, callers get that failure without a new request for
//     `failure_hold` (a wrong password does not become a login storm).
// Nothing it logs or returns holds the password, an access token or a
// refresh token.
//
// THREADING: thread-safe; share one (std::shared_ptr) across the process.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "io/http_client.hpp"
#include "io/rate_limiter.hpp"

namespace hourglass::io {

enum class AuthLogLevel { Info, Warn };

struct AuthSessionOptions {
  std::string base_url;  // the API's base, e.g. http://localhost:9264 (auth_base_url(API_URL))
  std::string email;
  std::string password;  // a secret: never logged
  std::chrono::milliseconds timeout{10'000};  // per auth request
  std::size_t max_requests = 10;  // auth requests (both routes together) per window
  std::chrono::milliseconds window{60'000};
  std::chrono::milliseconds rate_limited_wait{2'000};  // first wait after an HTTP 429, then doubled
  std::chrono::milliseconds max_wait{70'000};          // bound on waiting (limit, 429s) for one token
  std::chrono::milliseconds failure_hold{10'000};      // a failure is answered from memory this long
  // The wall clock that exp is compared with (tests move it); default system_clock::now.
  std::function<std::chrono::system_clock::time_point()> now;
  // Where the session reports what it does (login, refresh, refusals); none: silent.
  std::function<void(AuthLogLevel, const std::string&)> log;
};

struct AuthToken {
  enum class Failure {
    None,
    Refused,      // the API refused the credentials (login answered 4xx)
    Unavailable,  // no answer, 5xx, a broken reply, or the rate limit outlasted max_wait
  };
  Failure failure = Failure::None;
  std::string token;    // the access token when ok()
  std::string message;  // why not, when failed (no secret in it)
  long http_status = 0;

  bool ok() const { return failure == Failure::None; }
};

class AuthSession {
 public:
  explicit AuthSession(AuthSessionOptions options);
  AuthSession(const AuthSession&) = delete;
  AuthSession& operator=(const AuthSession&) = delete;

  // A token to send now: logs in on first use, refreshes when it is due.
  AuthToken token();
  // The API refused `rejected` (Unauthorized): a new token, from a refresh
  // (or a login) unless another caller already replaced `rejected`.
  AuthToken renew(const std::string& rejected);

  // Auth requests sent (429s included), for tests and status.
  std::size_t requests_sent() const;

 private:
  struct Reply;
  struct Fetched;
  AuthToken acquire(std::unique_lock<std::mutex>& lock);  // the one caller in flight
  AuthToken await_or_acquire(std::unique_lock<std::mutex>& lock, bool renewing);
  Reply post(const char* route, const std::string& body);
  Fetched fetch(const std::string& refresh_token);
  Fetched accept(const std::string& body, const std::string& what);
  void log(AuthLogLevel level, const std::string& line) const;
  std::chrono::system_clock::time_point wall_now() const;

  const AuthSessionOptions options_;
  HttpClient http_;     // used by the caller in flight only
  RateLimiter limiter_; // likewise

  mutable std::mutex mutex_;
  std::condition_variable done_;
  bool busy_ = false;            // an auth request sequence is in flight
  std::uint64_t generation_ = 0; // completed sequences
  std::string access_, refresh_;
  std::optional<std::chrono::system_clock::time_point> refresh_at_;  // none: refresh only when refused
  AuthToken last_failure_;       // of the last sequence, when it failed
  std::chrono::steady_clock::time_point failed_at_{};
  std::atomic<std::size_t> sent_{0};
};

// The API's base URL from its GraphQL URL: the trailing "/graphql" path
// segment removed (http://h:9264/graphql -> http://h:9264). nullopt when the
// path does not end in /graphql.
std::optional<std::string> auth_base_url(const std::string& graphql_url);

}  // namespace hourglass::io
