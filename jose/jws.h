// JSON Web Signatures for ACME (RFC 7515, RFC 8555 §6.2): the account key as a JWK, its
// thumbprint (RFC 7638) for key authorizations, and flattened JWS objects signed ES256
// (EC P-256 account keys, the default) or RS256 (RSA account keys).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/openssl_ptr.h"

namespace xmppcert::jose {

nlohmann::json public_jwk(EVP_PKEY* key);
std::string jwk_thumbprint(EVP_PKEY* key);  // base64url SHA-256 of the canonical JWK

// "ES256" or "RS256"; OperationError for other keys.
std::string jws_algorithm(EVP_PKEY* key);

// A flattened JWS. With `kid` the header names the account, otherwise it carries the JWK.
// `payload` empty means POST-as-GET (an empty payload, not "{}").
std::string sign_jws(EVP_PKEY* key, const std::optional<std::string>& kid, const std::string& nonce,
                     const std::string& url, const std::string& payload);

// The inner JWS of a key change (RFC 8555 §7.3.5): signed by the new key, JWK in the
// header, no nonce.
std::string sign_key_change(EVP_PKEY* new_key, const std::string& url, const std::string& payload);

// External account binding (RFC 8555 §7.3.4): the account JWK signed HS256 with the CA's
// MAC key. `hmac_key_b64url` is never logged.
nlohmann::json external_account_binding(EVP_PKEY* account_key, const std::string& eab_kid,
                                        const std::string& hmac_key_b64url, const std::string& url);

}  // namespace xmppcert::jose
