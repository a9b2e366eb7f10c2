// The http-01 validator's request line, read from anyone who connects: only
// "GET /.well-known/acme-challenge/TOKEN HTTP/1.x" with a base64url TOKEN is answered.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xmppcert::acme {

inline constexpr size_t kHttp01RequestLimit = 8192;

// The token a request asks for; nullopt for anything else (another method or path, a
// malformed request line).
std::optional<std::string> http01_token_of(std::string_view request);

}  // namespace xmppcert::acme
