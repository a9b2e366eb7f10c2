#include "plugins/issuers/acme/http01_request.h"

#include "plugins/issuers/acme/ca_input.h"

namespace xmppcert::acme {

std::optional<std::string> http01_token_of(std::string_view request) {
  constexpr std::string_view kPrefix = "GET /.well-known/acme-challenge/";
  if (request.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  size_t line_end = request.find("\r\n");
  std::string_view line = request.substr(0, line_end);
  size_t token_end = line.find(' ', kPrefix.size());
  if (token_end == std::string_view::npos) return std::nullopt;
  if (line.substr(token_end + 1, 7) != "HTTP/1.") return std::nullopt;
  std::string token(line.substr(kPrefix.size(), token_end - kPrefix.size()));
  if (!is_challenge_token(token)) return std::nullopt;
  return token;
}

}  // namespace xmppcert::acme
