#include "tests/unit/test_certificates.h"

#include "engine/certificate.h"
#include "engine/csr.h"
#include "engine/keys.h"
#include "plugins/issuers/local/local_ca.h"

namespace xmppcert::testing {

TestCertificate issue_test_certificate(const std::filesystem::path& ca_dir,
                                       const std::vector<std::string>& domains) {
  std::vector<DomainName> names;
  for (const auto& domain : domains) names.push_back(parse_domain(domain));
  TestCertificate out;
  out.identities = identities_for(names, {});
  out.key = generate_private_key(KeyType::kEcP256);
  X509ReqPtr csr = build_csr(out.key.get(), out.identities);
  LocalCa ca(ca_dir);
  IssuedCertificate issued =
      ca.issue({domains.front(), out.identities, csr.get(), std::chrono::hours(24), nullptr});
  out.cert_pem = issued.cert_pem;
  out.chain_pem = issued.chain_pem;
  out.leaf = parse_certificate(issued.cert_pem, "test certificate");
  return out;
}

}  // namespace xmppcert::testing
