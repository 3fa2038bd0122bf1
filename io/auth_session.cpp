#include "io/auth_session.hpp"

#include <nlohmann/json.hpp>
#include <thread>

#include "messages/auth_codec.hpp"

namespace hourglass::io {
namespace {

using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;

AuthToken ok_token(const std::string& token) { return AuthToken{AuthToken::Failure::None, token, "", 0}; }

AuthToken failed(AuthToken::Failure f, std::string message, long status = 0) {
  return AuthToken{f, "", std::move(message), status};
}

long long ms_of(SteadyClock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// "HTTP 401: Invalid email or password", or the transport error: never the
// request (it holds the password or the refresh token).
std::string what_came_back(const HttpResponse& r) {
  if (!r.transport_error.empty()) return r.transport_error;
  const std::string message = messages::read_rest_error_message(r.body);
  return "HTTP " + std::to_string(r.status) + (message.empty() ? "" : ": " + message);
}

bool no_answer(const HttpResponse& r) { return !r.transport_error.empty() || r.status >= 500 || r.status == 0; }
bool answered_ok(const HttpResponse& r) { return r.status >= 200 && r.status < 300; }

}  // namespace

struct AuthSession::Reply {
  HttpResponse http;
  std::string gave_up;  // non-empty: the rate limit outlasted max_wait
};

struct AuthSession::Fetched {
  AuthToken outcome;
  std::string refresh_token;
  std::optional<WallClock::time_point> refresh_at;
};

AuthSession::AuthSession(AuthSessionOptions options)
    : options_(std::move(options)), limiter_(options_.max_requests, options_.window) {}

WallClock::time_point AuthSession::wall_now() const { return options_.now ? options_.now() : WallClock::now(); }

void AuthSession::log(AuthLogLevel level, const std::string& line) const {
  if (options_.log) options_.log(level, line);
}

std::size_t AuthSession::requests_sent() const { return sent_.load(); }

AuthToken AuthSession::token() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!access_.empty() && !(refresh_at_ && wall_now() >= *refresh_at_)) return ok_token(access_);
  return await_or_acquire(lock, false);
}

AuthToken AuthSession::renew(const std::string& rejected) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!access_.empty() && access_ != rejected) return ok_token(access_);  // already replaced
  return await_or_acquire(lock, true);
}

AuthToken AuthSession::await_or_acquire(std::unique_lock<std::mutex>& lock, bool renewing) {
  if (busy_) {  // one sequence in flight: its outcome is ours
    const std::uint64_t seen = generation_;
    done_.wait(lock, [&] { return !busy_ && generation_ != seen; });
    return last_failure_.ok() ? ok_token(access_) : last_failure_;
  }
  if (!last_failure_.ok() && SteadyClock::now() - failed_at_ < options_.failure_hold) {
    // Failed a moment ago: no new request yet. A token not yet refused may
    // still be accepted.
    if (!renewing && !access_.empty()) return ok_token(access_);
    return last_failure_;
  }
  return acquire(lock);
}

AuthToken AuthSession::acquire(std::unique_lock<std::mutex>& lock) {
  busy_ = true;
  const std::string refresh = refresh_;
  lock.unlock();
  Fetched got;
  try {
    got = fetch(refresh);
  } catch (const std::exception& e) {
    got.outcome = failed(AuthToken::Failure::Unavailable, std::string("auth: ") + e.what());
  }
  lock.lock();
  if (got.outcome.ok()) {
    access_ = got.outcome.token;
    refresh_ = got.refresh_token;
    refresh_at_ = got.refresh_at;
    last_failure_ = AuthToken{};
  } else {
    last_failure_ = got.outcome;
    failed_at_ = SteadyClock::now();
    if (got.outcome.failure == AuthToken::Failure::Refused) {
      access_.clear();
      refresh_.clear();
      refresh_at_.reset();
    }
  }
  busy_ = false;
  ++generation_;
  done_.notify_all();
  return got.outcome;
}

AuthSession::Reply AuthSession::post(const char* route, const std::string& body) {
  const auto start = SteadyClock::now();
  auto backoff = std::chrono::duration_cast<SteadyClock::duration>(options_.rate_limited_wait);
  const auto budget = std::chrono::duration_cast<SteadyClock::duration>(options_.max_wait);
  for (;;) {
    const auto now = SteadyClock::now();
    const auto wait = limiter_.wait_before(now);
    if (wait > SteadyClock::duration::zero()) {
      if (now + wait - start > budget)
        return {{}, "auth: " + std::to_string(limiter_.limit()) + " auth requests in the last " +
                        std::to_string(ms_of(limiter_.window()) / 1000) + " s; next one allowed in " +
                        std::to_string(ms_of(wait)) + " ms, beyond the wait bound"};
      log(AuthLogLevel::Warn, "auth: rate limit of " + std::to_string(limiter_.limit()) + " requests per " +
                                  std::to_string(ms_of(limiter_.window()) / 1000) + " s reached; waiting " +
                                  std::to_string(ms_of(wait)) + " ms before " + route);
      std::this_thread::sleep_for(wait);
      continue;
    }
    limiter_.record(now);
    ++sent_;
    HttpResponse r = http_.post_json(options_.base_url + route, body, {}, options_.timeout);
    if (r.status != 429) return {std::move(r), ""};
    if (SteadyClock::now() + backoff - start > budget)
      return {{}, std::string("auth: ") + route + " answered HTTP 429 (Too Many Requests) until the wait bound"};
    log(AuthLogLevel::Warn, std::string("auth: ") + route + " answered HTTP 429 (Too Many Requests); trying again in " +
                                std::to_string(ms_of(backoff)) + " ms");
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

AuthSession::Fetched AuthSession::accept(const std::string& body, const std::string& what) {
  Fetched f;
  messages::AuthTokens tokens;
  try {
    tokens = messages::read_auth_tokens(body);
  } catch (const messages::InputError& e) {
    f.outcome = failed(AuthToken::Failure::Unavailable, "auth: " + what + ": unreadable reply: " + e.what(), 200);
    return f;
  }
  f.outcome = ok_token(tokens.access_token);
  f.refresh_token = tokens.refresh_token;
  std::string expiry = "; the access token carries no exp claim: renewed when refused";
  if (const auto times = messages::read_jwt_times(tokens.access_token); times && times->expires) {
    const WallClock::time_point exp{std::chrono::seconds(*times->expires)};
    const WallClock::time_point now = wall_now();
    const WallClock::time_point issued = times->issued_at ? WallClock::time_point{std::chrono::seconds(*times->issued_at)} : now;
    const auto lifetime = exp - issued;
    const auto margin = std::min<WallClock::duration>(std::chrono::seconds(60), lifetime / 5);
    f.refresh_at = exp - margin;
    expiry = "; the access token expires in " +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(exp - now).count()) +
             " s, refreshed " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(margin).count()) +
             " s before";
  }
  log(AuthLogLevel::Info, "auth: " + what + expiry);
  return f;
}

AuthSession::Fetched AuthSession::fetch(const std::string& refresh_token) {
  using F = AuthToken::Failure;
  Fetched f;
  if (!refresh_token.empty()) {
    const Reply r = post("/auth/refresh", nlohmann::json{{"refreshToken", refresh_token}}.dump());
    if (!r.gave_up.empty()) {
      f.outcome = failed(F::Unavailable, r.gave_up, 429);
      return f;
    }
    if (answered_ok(r.http)) return accept(r.http.body, "access token refreshed");
    if (no_answer(r.http)) {
      f.outcome = failed(F::Unavailable, "auth: refresh failed: " + what_came_back(r.http), r.http.status);
      return f;
    }
    log(AuthLogLevel::Warn, "auth: refresh token refused (" + what_came_back(r.http) + "); logging in again");
  }
  const Reply r =
      post("/auth/login", nlohmann::json{{"email", options_.email}, {"password", options_.password}}.dump());
  if (!r.gave_up.empty()) {
    f.outcome = failed(F::Unavailable, r.gave_up, 429);
    return f;
  }
  if (answered_ok(r.http)) return accept(r.http.body, "logged in as " + options_.email);
  const std::string why = "auth: login as " + options_.email + " failed: " + what_came_back(r.http);
  f.outcome = failed(no_answer(r.http) ? F::Unavailable : F::Refused, why, r.http.status);
  log(AuthLogLevel::Warn, why);
  return f;
}

std::optional<std::string> auth_base_url(const std::string& graphql_url) {
  const auto scheme = graphql_url.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  const auto path_start = graphql_url.find('/', scheme + 3);
  if (path_start == std::string::npos) return std::nullopt;
  std::string path = graphql_url.substr(path_start, graphql_url.find_first_of("?#", path_start) - path_start);
  if (!path.empty() && path.back() == '/') path.pop_back();
  static const std::string kGraphql = "/graphql";
  if (path.size() < kGraphql.size() || path.compare(path.size() - kGraphql.size(), kGraphql.size(), kGraphql) != 0)
    return std::nullopt;
  return graphql_url.substr(0, path_start) + path.substr(0, path.size() - kGraphql.size());
}

}  // namespace hourglass::io
