#include "engine/posh.h"

#include <nlohmann/json.hpp>

#include "engine/certificate.h"
#include "engine/encoding.h"

namespace xmppcert {

std::string certificate_sha256_base64(X509* cert) { return base64_encode(sha256_digest(cert)); }

std::string posh_document(X509* cert, std::chrono::seconds expires) {
  nlohmann::json document = {{"fingerprints", {{{"sha-256", certificate_sha256_base64(cert)}}}},
                             {"expires", expires.count()}};
  return document.dump() + "\n";
}

}  // namespace xmppcert
