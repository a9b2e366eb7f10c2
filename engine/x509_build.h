// Building X.509 certificates: the steps every issuer here takes (the embedded local CA, the
// CA's root, intermediate and leaves in xmppcert-ca): random serials, extensions written in
// OpenSSL's config syntax, name entries.
#pragma once

#include <string>

#include "engine/openssl_ptr.h"

namespace xmppcert {

// A random positive 128-bit serial (RFC 5280 §4.1.2.2 allows up to 20 octets).
void set_random_serial(X509* cert);

// `value` in OpenSSL's v3 config syntax ("critical,CA:TRUE"); `issuer` for AKI.
void add_extension(X509* cert, X509* issuer, int nid, const char* value);

// Appends "KEY=value" (e.g. "CN", "O") to `name`, value as UTF-8.
void add_name_entry(X509_NAME* name, const char* key, const std::string& value);

}  // namespace xmppcert
