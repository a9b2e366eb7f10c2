// Reading X.509 certificates: PEM chains in, the facts the store and status need out.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "engine/identity.h"
#include "engine/openssl_ptr.h"

namespace xmppcert {

struct CertificateInfo {
  std::string serial_hex;
  std::string subject;
  std::string issuer;
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  std::string sha256_fingerprint;  // "AB:CD:..."
  XmppIdentities identities;
  bool server_auth = false;  // EKU id-kp-serverAuth
  bool client_auth = false;  // EKU id-kp-clientAuth: s2s needs it, the server is the TLS client
};

// All certificates of a PEM bundle, in order. `origin` names the source for errors.
std::vector<X509Ptr> parse_certificate_chain(const std::string& pem, std::string_view origin);
X509Ptr parse_certificate(const std::string& pem, std::string_view origin);

std::string certificate_pem(X509* cert);
CertificateInfo inspect_certificate(X509* cert);
std::string sha256_digest(X509* cert);       // of the DER, 32 raw bytes
std::string sha256_fingerprint(X509* cert);  // the same, "AB:CD:..."

bool certificate_matches_key(X509* cert, EVP_PKEY* key);

}  // namespace xmppcert
