// The notary's state directory, made by `xmppcert-ca notary init`:
//   notary.key   EC P-256, 0600: signs every answer and serves the notary's HTTPS
//   notary.pem   a self-signed certificate for that key (the CA pins the key, not a name)
// The key's key_sha256 (notary_protocol.h) is what a CA operator puts in "notaries".
#pragma once

#include <filesystem>
#include <string>

#include "engine/openssl_ptr.h"

namespace xmppcert::ca::notary {

std::filesystem::path key_path(const std::filesystem::path& dir);
std::filesystem::path cert_path(const std::filesystem::path& dir);

// Creates the key and certificate; UsageError when DIR already holds a notary key (a pinned
// key is never replaced by accident). Returns the key_sha256.
std::string init_notary(const std::filesystem::path& dir);
// UsageError naming the path when there is none (run `notary init`).
PKeyPtr load_notary_key(const std::filesystem::path& dir);

}  // namespace xmppcert::ca::notary
