#include "dane/posh.h"

#include <nlohmann/json.hpp>

#include "engine/certificate.h"
#include "engine/encoding.h"
#include "engine/fs.h"

namespace xmppcert {

std::string certificate_sha256_base64(X509* cert) { return base64_encode(sha256_digest(cert)); }

std::string posh_document(X509* cert, std::chrono::seconds expires) {
  return posh_document(std::vector<X509*>{cert}, expires);
}

std::string posh_document(const std::vector<X509*>& certs, std::chrono::seconds expires) {
  nlohmann::json fingerprints = nlohmann::json::array();
  for (X509* cert : certs) fingerprints.push_back({{"sha-256", certificate_sha256_base64(cert)}});
  nlohmann::json document = {{"fingerprints", fingerprints}, {"expires", expires.count()}};
  return document.dump() + "\n";
}

void write_posh_documents(const std::filesystem::path& dir, const std::string& document) {
  create_directories(dir, 0755);
  for (const char* name : {"xmpp-server.json", "xmpp-client.json"})
    write_file_atomically(dir / name, document, with_mode(0644));
}

}  // namespace xmppcert
