#include "ca/notary/notary_keys.h"

#include <unistd.h>

#include "ca/notary/notary_protocol.h"
#include "engine/certificate.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/x509_build.h"

namespace xmppcert::ca::notary {

std::filesystem::path key_path(const std::filesystem::path& dir) { return dir / "notary.key"; }
std::filesystem::path cert_path(const std::filesystem::path& dir) { return dir / "notary.pem"; }

std::string init_notary(const std::filesystem::path& dir) {
  if (::access(key_path(dir).c_str(), F_OK) == 0)
    throw UsageError("notary init " + dir.string() +
                     ": a notary key already exists there (it is kept: CAs pin it)");
  create_directories(dir, 0700);
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  set_random_serial(cert.get());
  add_name_entry(X509_get_subject_name(cert.get()), "CN", "xmppcert notary");
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 20L * 365 * 86400);
  X509_set_pubkey(cert.get(), key.get());
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  if (!X509_sign(cert.get(), key.get(), EVP_sha256()))
    throw_operation_error("sign", cert_path(dir).string(), openssl_error_text());
  write_file_atomically(key_path(dir), private_key_pem(key.get()), with_mode(kPrivateKeyMode));
  write_file_atomically(cert_path(dir), certificate_pem(cert.get()), with_mode(0644));
  return key_sha256(key.get());
}

PKeyPtr load_notary_key(const std::filesystem::path& dir) {
  if (::access(key_path(dir).c_str(), F_OK) != 0)
    throw UsageError("notary: no key at " + key_path(dir).string() +
                     " (run xmppcert-ca notary init --state-dir " + dir.string() + ")");
  return load_private_key(read_file(key_path(dir)), key_path(dir).string());
}

}  // namespace xmppcert::ca::notary
