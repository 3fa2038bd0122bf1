// Replies of the campaign API's REST auth routes (POST /auth/login, POST
// /auth/refresh: AuthController of the real API) and the claims of its access
// tokens (JWTs, HS256: header.payload.signature, the payload base64url JSON).
// Every refusal is an InputError naming what is wrong; never the token
// itself (tokens are secrets: no message built here holds one).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "messages/input_error.hpp"

namespace hourglass::messages {

struct AuthTokens {
  std::string access_token;
  std::string refresh_token;
};

// {accessToken, refreshToken}, both non-empty strings (other members are
// ignored). Throws InputError.
AuthTokens read_auth_tokens(std::string_view body);

// The time claims of a JWT's payload, in seconds since the epoch.
struct JwtTimes {
  std::optional<std::int64_t> issued_at;  // iat
  std::optional<std::int64_t> expires;    // exp
};

// The payload's iat and exp; nullopt when `token` is no JWT (not three
// dot-separated parts, payload not base64url JSON object). A claim that is
// not a whole number is left out.
std::optional<JwtTimes> read_jwt_times(const std::string& token);

// The `message` of a NestJS error reply ({statusCode, message, error}):
// message may be a string or a list of strings (ValidationPipe); empty when
// the body says nothing readable. Bounded to 200 characters.
std::string read_rest_error_message(std::string_view body);

}  // namespace hourglass::messages
