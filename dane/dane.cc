#include "dane/dane.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "engine/encoding.h"
#include "engine/errors.h"

namespace xmppcert {

std::string spki_sha256_hex(X509* cert) { return spki_sha256_hex(X509_get0_pubkey(cert)); }

std::string spki_sha256_hex(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(key, &der);
  if (size <= 0) throw_operation_error("encode", "SubjectPublicKeyInfo", openssl_error_text());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  bool ok = EVP_Digest(der, static_cast<size_t>(size), digest, &length, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (!ok) throw_operation_error("hash", "SubjectPublicKeyInfo", openssl_error_text());
  return hex_encode(std::string_view(reinterpret_cast<char*>(digest), length));
}

std::vector<std::string> tlsa_records(const std::string& domain_ascii, X509* cert) {
  std::string hash = spki_sha256_hex(cert);
  std::vector<std::string> records;
  for (const char* port : {"5269", "5222"})
    records.push_back(std::string("_") + port + "._tcp." + domain_ascii + ". IN TLSA 3 1 1 " +
                      hash);
  return records;
}

}  // namespace xmppcert
