// Certificates for tests: a key and a leaf from a throw-away local CA, carrying the XMPP
// identities of the given domains.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/identity.h"
#include "engine/openssl_ptr.h"

namespace xmppcert::testing {

struct TestCertificate {
  PKeyPtr key;
  X509Ptr leaf;
  std::string cert_pem;
  std::string chain_pem;  // the CA's root
  XmppIdentities identities;
};

// Issued by a local CA kept in `ca_dir` (created on first use).
TestCertificate issue_test_certificate(const std::filesystem::path& ca_dir,
                                       const std::vector<std::string>& domains);

}  // namespace xmppcert::testing
