// The transparency log's signing key: EC P-256 in <state>/log.key (0600), made by
// `xmppcert-ca init` (or in the CA's PKCS#11 token: log_key_of); a state dir from before the log
// gets one at the next start (logged). Its log ID is SHA-256 of the public key's
// SubjectPublicKeyInfo (RFC 6962 §3.2).
#pragma once

#include <filesystem>
#include <string>

#include "ct/merkle.h"
#include "engine/openssl_ptr.h"

namespace xmppcert::ctlog {

struct LogKey {
  PKeyPtr key;
  std::string spki_der;  // SubjectPublicKeyInfo
  Hash log_id;
};

std::filesystem::path log_key_path(const std::filesystem::path& state_dir);

// Loads <state>/log.key, creating it first when it is missing (`announce`: saying so in
// the log, for a state dir made before the log existed).
LogKey load_or_create_log_key(const std::filesystem::path& state_dir, bool announce = true);

// The log key from a key already loaded (the CA's PKCS#11 token holds it: a handle);
// `what` names it in errors.
LogKey log_key_of(PKeyPtr key, const std::string& what);

// An ECDSA signature (DER) over SHA-256 of data.
std::string sign_sha256(EVP_PKEY* key, std::string_view data);

}  // namespace xmppcert::ctlog
