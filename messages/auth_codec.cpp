#include "messages/auth_codec.hpp"

#include <nlohmann/json.hpp>

#include "messages/json_read.hpp"

namespace hourglass::messages {
namespace {

// RFC 4648 §5 (base64url), padding optional; nullopt on any other character.
std::optional<std::string> base64url_decode(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character
  return out;
}

}  // namespace

AuthTokens read_auth_tokens(std::string_view body) {
  const json reply = json::parse(body, nullptr, false);
  if (reply.is_discarded()) throw InputError("$", "auth reply is not JSON");
  expect_object(reply, "$");
  AuthTokens t;
  t.access_token = read_string(require_member(reply, "accessToken", "$"), "$.accessToken");
  t.refresh_token = read_string(require_member(reply, "refreshToken", "$"), "$.refreshToken");
  return t;
}

std::optional<JwtTimes> read_jwt_times(const std::string& token) {
  const auto first = token.find('.');
  if (first == std::string::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string::npos || token.find('.', second + 1) != std::string::npos) return std::nullopt;
  const auto payload = base64url_decode(std::string_view(token).substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  const json claims = json::parse(*payload, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return std::nullopt;
  JwtTimes t;
  if (const json* iat = member(claims, "iat")) t.issued_at = whole_number(*iat);
  if (const json* exp = member(claims, "exp")) t.expires = whole_number(*exp);
  return t;
}

std::string read_rest_error_message(std::string_view body) {
  const json reply = json::parse(body, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) return "";
  const json* m = member(reply, "message");
  std::string out;
  if (m && m->is_string()) {
    out = m->get<std::string>();
  } else if (m && m->is_array()) {
    for (const json& part : *m)
      if (part.is_string()) out += (out.empty() ? "" : "; ") + part.get<std::string>();
  }
  if (out.size() > 200) out = out.substr(0, 200) + "...";
  return out;
}

}  // namespace hourglass::messages
