// The CA's key material in its state directory, made once by `xmppcert-ca init`:
//   root.key, root.pem                  EC P-384, 20 years; root.key may then go offline
//   intermediate.key, intermediate.pem  EC P-256, 5 years: signs leaves and the CRL
//   https.key, https.pem                the ACME server's own certificate for the hostname
//   ca.json                             hostname and permitted domains
// With permitted domains, root and intermediate carry nameConstraints (RFC 5280 §4.2.1.10)
// limiting dNSNames to them (and to the hostname): a closed federation's root.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/openssl_ptr.h"

namespace xmppcert::ca {

struct InitOptions {
  std::filesystem::path state_dir;
  std::string hostname;  // DNS name or IP literal the ACME clients connect to
  std::vector<std::string> permitted_domains;
};

// Throws UsageError when the directory already holds a CA (keys are never overwritten).
void init_ca(const InitOptions& options);

struct IssuingCa {
  std::string hostname;
  std::vector<std::string> permitted_domains;
  PKeyPtr key;        // intermediate's
  X509Ptr cert;       // intermediate
  std::string chain;  // intermediate PEM: what follows a leaf in a download
  std::string root;   // root PEM
};

IssuingCa load_issuing_ca(const std::filesystem::path& state_dir);
std::string load_root_pem(const std::filesystem::path& state_dir);

std::filesystem::path https_key_path(const std::filesystem::path& state_dir);
std::filesystem::path https_cert_path(const std::filesystem::path& state_dir);

}  // namespace xmppcert::ca
