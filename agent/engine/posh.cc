#include "agent/engine/posh.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

namespace xmppcert {

std::string certificate_sha256_base64(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(cert, EVP_sha256(), digest, &length);
  std::string out(4 * ((length + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest,
                                static_cast<int>(length));
  out.resize(static_cast<size_t>(written));
  return out;
}

std::string posh_document(X509* cert, std::chrono::seconds expires) {
  nlohmann::json document = {{"fingerprints", {{{"sha-256", certificate_sha256_base64(cert)}}}},
                             {"expires", expires.count()}};
  return document.dump() + "\n";
}

}  // namespace xmppcert
