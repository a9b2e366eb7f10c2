// POSH (RFC 7711, XMPP services per RFC 7712): JSON documents served over HTTPS at
// https://DOMAIN/.well-known/posh/xmpp-server.json and xmpp-client.json that name the
// fingerprint of the certificate the XMPP service presents, so a domain can delegate TLS to
// a host whose certificate does not carry its name.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/openssl_ptr.h"

namespace xmppcert {

// Base64 (with padding) of the SHA-256 of the certificate's DER, as POSH carries it.
std::string certificate_sha256_base64(X509* cert);

// {"fingerprints":[{"sha-256":"..."}],"expires":SECONDS}
std::string posh_document(X509* cert, std::chrono::seconds expires);
// One fingerprint per certificate, in order (the served one first).
std::string posh_document(const std::vector<X509*>& certs, std::chrono::seconds expires);

// Writes DIR/xmpp-server.json and DIR/xmpp-client.json atomically (0644), creating DIR.
void write_posh_documents(const std::filesystem::path& dir, const std::string& document);

}  // namespace xmppcert
