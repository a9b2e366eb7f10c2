// ACME clients nobody here wrote, from Debian, obtaining and revoking certificates from
// xmppcert-ca with real validation against loopback: lego (http-01, tls-alpn-01, and dns-01
// through RFC 2136 updates to the BIND the CA resolves with), certbot (http-01, standalone).
// Each revoked serial must show up in the CA's CRL.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/ca/ca_fixture.h"
#include "tests/ca/interop_support.h"

namespace xmppcert {
namespace {

using testing::Environment;
using testing::FoundationCa;
using testing::ProcessResult;

// A TSIG secret for the test's own BIND on 127.0.0.1 (key "xmppcert-test", hmac-sha256).
constexpr char kTsigSecret[] = "eG1wcGNlcnQtY2EtaW50ZXJvcC1yZmMyMTM2LWtleSE=";

// On both storage backends: issuance and revocation are what the SA stores.
class FoundationCaInterop : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
      GTEST_SKIP() << missing;
  }
  testing::FoundationCaOptions on_backend(testing::FoundationCaOptions options = {}) {
    options.backend = GetParam();
    return options;
  }
};

TEST_P(FoundationCaInterop, LegoObtainsWithHttp01AndRevokes) {
  if (!testing::installed("/usr/bin/lego")) GTEST_SKIP() << "lego is not installed";
  FoundationCa ca(on_backend());
  testing::lego_obtains_and_revokes(
      ca, {}, "lego-http.example.test",
      {"--http", "--http.port", "127.0.0.1:" + std::to_string(ca.http01_port())});
}

TEST_P(FoundationCaInterop, LegoObtainsWithTlsAlpn01AndRevokes) {
  if (!testing::installed("/usr/bin/lego")) GTEST_SKIP() << "lego is not installed";
  FoundationCa ca(on_backend());
  testing::lego_obtains_and_revokes(
      ca, {}, "lego-tls.example.test",
      {"--tls", "--tls.port", "127.0.0.1:" + std::to_string(ca.tls_alpn01_port())});
}

TEST_P(FoundationCaInterop, LegoObtainsWithDns01ThroughRfc2136AndRevokes) {
  if (!testing::installed("/usr/bin/lego")) GTEST_SKIP() << "lego is not installed";
  FoundationCa ca(on_backend({.bind_tsig_secret = kTsigSecret}));
  std::string bind = "127.0.0.1:" + std::to_string(ca.dns_port());
  // lego writes the TXT record to the BIND the CA resolves with, and asks that BIND (not the
  // zone's NS, which would be port 53) whether the record is there.
  testing::lego_obtains_and_revokes(
      ca,
      {{"RFC2136_NAMESERVER", bind},
       {"RFC2136_TSIG_KEY", "xmppcert-test"},
       {"RFC2136_TSIG_SECRET", kTsigSecret},
       {"RFC2136_TSIG_ALGORITHM", "hmac-sha256."},
       {"RFC2136_POLLING_INTERVAL", "1"},
       {"RFC2136_PROPAGATION_TIMEOUT", "30"}},
      "lego-dns.example.test", {"--dns", "rfc2136", "--dns.resolvers", bind, "--dns.disable-cp"});
}

TEST_P(FoundationCaInterop, CertbotObtainsWithHttp01StandaloneAndRevokes) {
  if (!testing::installed("/usr/bin/certbot")) GTEST_SKIP() << "certbot is not installed";
  FoundationCa ca(on_backend());
  testing::certbot_obtains_and_revokes(ca, "certbot.example.test");
}

INSTANTIATE_TEST_SUITE_P(Storage, FoundationCaInterop,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace xmppcert
