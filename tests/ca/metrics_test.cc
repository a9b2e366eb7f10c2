// GET /metrics: the Prometheus text an operator scrapes counts what the CA did (a lego
// issuance with http-01 and its revocation) and names no account, domain or serial.
#include <gtest/gtest.h>

#include "tests/ca/ca_fixture.h"
#include "tests/ca/interop_support.h"

namespace xmppcert {
namespace {

using testing::FoundationCa;
using testing::ProcessResult;

std::string metrics_of(const FoundationCa& ca) {
  ProcessResult r =
      testing::run_process({"curl", "-sS", "--fail", "--cacert", ca.root_file(),
                            "https://127.0.0.1:" + std::to_string(ca.port()) + "/metrics"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// On both storage backends: an issuance is counted once it is stored, whichever SA stores it.
class FoundationCaMetrics : public ::testing::TestWithParam<testing::Backend> {};

TEST_P(FoundationCaMetrics, CountIssuanceValidationAndRevocationWithoutNamingThem) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
    GTEST_SKIP() << missing;
  if (!testing::installed("/usr/bin/lego")) GTEST_SKIP() << "lego is not installed";
  FoundationCa ca({.backend = GetParam()});
  std::string before = metrics_of(ca);
  EXPECT_NE(before.find("xmppcert_ca_certificates_issued_total 0\n"), std::string::npos) << before;
  testing::lego_obtains_and_revokes(
      ca, {}, "metrics.example.test",
      {"--http", "--http.port", "127.0.0.1:" + std::to_string(ca.http01_port())});
  std::string after = metrics_of(ca);
  for (const char* line :
       {"# TYPE xmppcert_ca_certificates_issued_total counter\n",
        "xmppcert_ca_certificates_issued_total 1\n", "xmppcert_ca_certificates_revoked_total 1\n",
        "xmppcert_ca_validations_total{result=\"valid\"} 1\n",
        "xmppcert_ca_validations_total{result=\"invalid\"} 0\n"})
    EXPECT_NE(after.find(line), std::string::npos) << line << " in:\n" << after;
  EXPECT_EQ(after.find("xmppcert_ca_responses_total{code=\"2xx\"} 0\n"), std::string::npos);
  EXPECT_NE(after.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_EQ(after.find("metrics.example.test"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Storage, FoundationCaMetrics,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace xmppcert
