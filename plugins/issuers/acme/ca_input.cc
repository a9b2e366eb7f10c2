#include "plugins/issuers/acme/ca_input.h"

#include <algorithm>

#include "engine/errors.h"

namespace xmppcert::acme {
namespace {

// For an error message: at most 64 characters, control characters shown as '?'.
std::string printable(const std::string& text) {
  std::string out = text.substr(0, 64);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return "\"" + out + (text.size() > 64 ? "...\"" : "\"");
}

}  // namespace

bool is_challenge_token(const std::string& token) {
  if (token.empty() || token.size() > 256) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

void require_challenge_token(const std::string& token, const std::string& origin) {
  if (!is_challenge_token(token))
    throw_operation_error("use the challenge token from", origin,
                          "the CA sent " + printable(token) + ", not base64url");
}

bool is_dns_name(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

void require_dns_name(const std::string& name, const std::string& origin) {
  if (!is_dns_name(name))
    throw_operation_error("use the identifier from", origin,
                          printable(name) + " is not a DNS name");
}

void require_requested_identifier(const std::string& identifier, bool wildcard,
                                  const std::vector<std::string>& requested,
                                  const std::string& origin) {
  require_dns_name(identifier, origin);
  std::string name = wildcard ? "*." + identifier : identifier;
  if (std::find(requested.begin(), requested.end(), name) == requested.end())
    throw_operation_error(
        "use the authorization", origin,
        "the CA asks to validate " + printable(name) + ", a name the order did not request");
}

}  // namespace xmppcert::acme
