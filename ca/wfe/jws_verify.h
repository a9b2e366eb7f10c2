// The server side of JWS (RFC 7515, RFC 8555 §6.2): a flattened JWS taken apart, its JWK
// turned into a key and its signature checked. Only ES256 and RS256, the algorithms the
// client side (plugins/issuers/acme/jws.h) signs with; anything else is badSignatureAlgorithm.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/openssl_ptr.h"

namespace xmppcert::ca {

struct ParsedJws {
  nlohmann::json header;      // the decoded protected header
  std::string payload;        // decoded; empty for POST-as-GET
  std::string signing_input;  // protected "." payload, as sent
  std::string signature;      // decoded bytes
};

// Throws AcmeProblem malformed on anything that is not a flattened JWS with a JSON header
// (depth-limited: json_limits.h). The second form takes one already parsed (an external
// account binding inside a payload): it is never serialized again.
ParsedJws parse_flattened_jws(const std::string& body);
ParsedJws parse_flattened_jws(const nlohmann::json& outer);

// A public key from a JWK (EC P-256 or RSA); AcmeProblem badPublicKey otherwise.
PKeyPtr key_from_jwk(const nlohmann::json& jwk);

// Checks `jws` was signed by `key` with the header's alg; throws AcmeProblem
// (badSignatureAlgorithm, or malformed "JWS signature invalid").
void verify_jws_signature(const ParsedJws& jws, EVP_PKEY* key);

// HS256 MAC of an external account binding; true when it matches.
bool verify_hs256(const ParsedJws& jws, const std::string& mac_key);

}  // namespace xmppcert::ca
