// The CA's key material in its state directory, made once by `xmppcert-ca init`:
//   root.key, root.pem                  EC P-384, 20 years; root.key may then go offline
//   intermediate.key, intermediate.pem  EC P-256, 5 years: signs leaves and the CRL
//   https.key, https.pem                the ACME server's own certificate for the hostname
//   ca.json                             hostname and permitted domains (and the token)
// With a PKCS#11 token (init --pkcs11-*), root, intermediate, the log's and the HTTPS keys
// are made in the token and stay there (key_token.h): the state dir holds no .key file.
// With permitted domains, root and intermediate carry nameConstraints (RFC 5280 §4.2.1.10)
// limiting dNSNames to them (and to the hostname): a closed federation's root.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ca/key_token.h"
#include "engine/openssl_ptr.h"

namespace xmppcert::ca {

struct InitOptions {
  std::filesystem::path state_dir;
  std::string hostname;  // DNS name or IP literal the ACME clients connect to
  std::vector<std::string> permitted_domains;
  std::optional<TokenSettings> token;  // set: the keys are made in this PKCS#11 token
};

// Throws UsageError when the directory already holds a CA (keys are never overwritten).
void init_ca(const InitOptions& options);

struct IssuingCa {
  // First: the keys below are handles into it, freed before it.
  std::shared_ptr<KeyToken> token;  // set when the keys live in a PKCS#11 token
  std::string hostname;
  std::vector<std::string> permitted_domains;
  PKeyPtr key;        // intermediate's
  X509Ptr cert;       // intermediate
  std::string chain;  // intermediate PEM: what follows a leaf in a download
  std::string root;   // root PEM
  PKeyPtr log_key;    // with a token: the transparency log's (else <state>/log.key)
  PKeyPtr https_key;  // with a token: the HTTPS listener's (else https.key)
};

IssuingCa load_issuing_ca(const std::filesystem::path& state_dir);
std::string load_root_pem(const std::filesystem::path& state_dir);

std::filesystem::path https_key_path(const std::filesystem::path& state_dir);
std::filesystem::path https_cert_path(const std::filesystem::path& state_dir);

}  // namespace xmppcert::ca
