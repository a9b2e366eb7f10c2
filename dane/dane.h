// DANE for XMPP (RFC 7673): TLSA records pinning the server's public key, usage 3
// (DANE-EE), selector 1 (SubjectPublicKeyInfo), matching type 1 (SHA-256). They survive
// renewals that keep the key and name the key, not the CA, so they hold for any issuer.
#pragma once

#include <string>
#include <vector>

#include "engine/openssl_ptr.h"

namespace xmppcert {

// SHA-256 of the certificate's DER SubjectPublicKeyInfo, lower-case hex.
std::string spki_sha256_hex(X509* cert);
// The same for a key (a pre-generated next key has no certificate yet).
std::string spki_sha256_hex(EVP_PKEY* key);

// Zone-file lines "_5269._tcp.DOMAIN. IN TLSA 3 1 1 HEX" for s2s, then _5222 for c2s.
// `domain_ascii` in A-labels.
std::vector<std::string> tlsa_records(const std::string& domain_ascii, X509* cert);

}  // namespace xmppcert
