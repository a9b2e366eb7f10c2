// What a CA sends is checked against what we asked before it is used (docs/SECURITY.md): a
// token becomes a file name under the webroot and a URL path, an identifier becomes a DNS
// name in an nsupdate script or a hook's argv. The CA is not trusted with either.
#pragma once

#include <string>
#include <vector>

namespace xmppcert::acme {

// RFC 8555 §8.1: a token is base64url ([A-Za-z0-9_-]); we also cap it at 256 characters.
bool is_challenge_token(const std::string& token);
// An OperationError naming `origin` (the challenge URL) unless is_challenge_token.
void require_challenge_token(const std::string& token, const std::string& origin);

// A DNS name in A-labels: letters, digits, '-', '.', at most 253 characters, no empty label.
bool is_dns_name(const std::string& name);
void require_dns_name(const std::string& name, const std::string& origin);

// The identifier of an authorization must be a DNS name and one of the names the order
// asked for ("*." + identifier when the CA marks it wildcard, RFC 8555 §7.1.4); an
// OperationError naming `origin` and the identifier otherwise.
void require_requested_identifier(const std::string& identifier, bool wildcard,
                                  const std::vector<std::string>& requested,
                                  const std::string& origin);

}  // namespace xmppcert::acme
