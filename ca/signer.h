// Signs leaves with the intermediate (boulder's ca/): the approved XMPP identities encoded
// by the engine's SAN code, never the CSR's extensions as they came; EKU serverAuth +
// clientAuth (on s2s the server is also the TLS client); CRL DP pointing at the CA's CRL.
#pragma once

#include <chrono>
#include <ctime>
#include <mutex>
#include <string>

#include "ca/ca_keys.h"
#include "engine/identity.h"

namespace xmppcert::ca {

struct SignedCertificate {
  std::string serial_hex;  // lower case, no separators
  std::string leaf_pem;
  std::time_t not_after = 0;
};

class Signer {
 public:
  Signer(IssuingCa& ca, std::string crl_url) : ca_(ca), crl_url_(std::move(crl_url)) {}

  SignedCertificate sign(EVP_PKEY* subject_key, const XmppIdentities& ids,
                         std::chrono::seconds lifetime);

 private:
  IssuingCa& ca_;
  std::string crl_url_;
};

std::string serial_hex(X509* cert);

}  // namespace xmppcert::ca
