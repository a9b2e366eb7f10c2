// xmppcert-ca killed with SIGKILL while lego clients are enrolling, then started again on the
// same state directory: everything it acknowledged before the kill (accounts, certificates)
// is still there and usable, the database is intact, and no order or certificate is stored
// half (a valid order always has its certificate, a certificate always its valid order).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "tests/ca/ca_fixture.h"
#include "tests/ca/interop_support.h"
#include "tests/ca/webroot_server.h"

namespace xmppcert {
namespace {

using testing::FoundationCa;
using testing::ProcessResult;

std::string sql(const FoundationCa& ca, const std::string& query) {
  try {
    return ca.sql(query);
  } catch (const std::exception& error) {
    ADD_FAILURE() << error.what();
    return "";
  }
}

// A field of an order document (JSON text) in either backend's SQL.
std::string field(testing::Backend backend, const std::string& column, const std::string& name) {
  if (backend == testing::Backend::kPostgres) return "(" + column + "::json ->> '" + name + "')";
  return "json_extract(" + column + ", '$." + name + "')";
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

// On both storage backends: the CA is killed, its database is not.
class FoundationCaCrash : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
      GTEST_SKIP() << missing;
    if (!testing::installed("/usr/bin/lego") || !testing::installed("/usr/bin/sqlite3"))
      GTEST_SKIP() << "lego or sqlite3 is not installed";
  }
  // `lego ACTION` for `domain` with the account and certificates under dir/NAME; http-01
  // through the shared webroot, so that several clients can validate at once.
  ProcessResult lego(const FoundationCa& ca, const std::string& name, const std::string& domain,
                     const std::string& action) {
    return testing::run_with_env(
        {{"LEGO_CA_CERTIFICATES", ca.root_file()}},
        {"lego", "--server", ca.directory_url(), "--accept-tos", "--email", "admin@example.test",
         "--path", (dir_ / name).string(), "--domains", domain, "--http", "--http.webroot",
         (dir_ / "webroot").string(), action});
  }
  std::filesystem::path certificate(const std::string& name, const std::string& domain) {
    return dir_ / name / "certificates" / (domain + ".crt");
  }
  testing::TempDir dir_;
};

TEST_P(FoundationCaCrash, KillNineMidIssuanceLosesNothingAcknowledgedAndStoresNothingHalf) {
  const testing::Backend backend = GetParam();
  FoundationCa ca({.backend = backend});
  testing::WebrootServer web(ca.http01_port(), dir_ / "webroot" / ".well-known" / "acme-challenge");
  ProcessResult r = lego(ca, "before", "before.example.test", "run");
  ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
  std::string before_serial = testing::serial_of(certificate("before", "before.example.test"));

  // Four clients enrolling at once; the CA dies at a random point of their runs.
  constexpr int kClients = 4;
  std::vector<ProcessResult> results(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      std::string name = "crash" + std::to_string(i);
      results[i] = lego(ca, name, name + ".example.test", "run");
    });
  unsigned seed = std::random_device{}();
  std::mt19937 generator(seed);
  int delay_ms = std::uniform_int_distribution<int>(200, 2500)(generator);
  // A random moment to kill -9 at (the point of the test), not a wait for a condition.
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  ca.kill_hard();
  for (auto& client : clients) client.join();
  SCOPED_TRACE("killed " + std::to_string(delay_ms) + " ms into the runs (seed " +
               std::to_string(seed) + ")");

  if (backend == testing::Backend::kSqlite) {
    EXPECT_EQ(sql(ca, "PRAGMA integrity_check"), "ok");
  }
  const std::string status = field(backend, "doc", "status");
  const std::string certificate_of = field(backend, "doc", "certificate");
  EXPECT_EQ(
      sql(ca, "SELECT count(*) FROM documents d WHERE kind = 'order' AND " + status +
                  " = 'valid' AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.serial = " +
                  certificate_of + ")"),
      "0");
  EXPECT_EQ(sql(ca,
                "SELECT count(*) FROM certificates c WHERE NOT EXISTS (SELECT 1 FROM "
                "documents d WHERE kind = 'order' AND d.id = c.order_id AND " +
                    status + " = 'valid' AND " + certificate_of + " = c.serial)"),
            "0");
  // What a client got before the kill is on the CA's disk.
  for (int i = 0; i < kClients; ++i) {
    std::string name = "crash" + std::to_string(i);
    auto cert = certificate(name, name + ".example.test");
    if (results[i].exit_code != 0 || !std::filesystem::exists(cert)) continue;
    std::string serial = lower(testing::serial_of(cert));
    EXPECT_EQ(sql(ca, "SELECT count(*) FROM certificates WHERE serial = '" + serial + "'"), "1")
        << name << " got " << serial << " before the kill";
  }

  // Started again: the account made before the kill revokes its certificate, and issues.
  ca.start();
  r = lego(ca, "before", "before.example.test", "revoke");
  EXPECT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
  EXPECT_NE(testing::crl_text(ca, dir_).find(before_serial), std::string::npos);
  r = lego(ca, "before", "after.example.test", "run");
  EXPECT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
}

INSTANTIATE_TEST_SUITE_P(Storage, FoundationCaCrash,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace xmppcert
