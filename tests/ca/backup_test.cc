// xmppcert-ca backup while the CA serves, then restore into a fresh state dir (and, with
// PostgreSQL, an empty database): the restored CA serves what the backup held, under the same
// root: the account lego made before revokes the certificate it got, which the CRL then lists,
// and it issues again. The backup is private: its folder 0700, the keys and the database 0600.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/fs.h"
#include "tests/ca/ca_fixture.h"
#include "tests/ca/interop_support.h"

namespace xmppcert {
namespace {

using testing::Backend;
using testing::FoundationCa;
using testing::ProcessResult;

class FoundationCaBackup : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
      GTEST_SKIP() << missing;
    if (!testing::installed("/usr/bin/lego")) GTEST_SKIP() << "lego is not installed";
    if (GetParam() == Backend::kPostgres &&
        (!testing::installed("/usr/bin/pg_dump") || !testing::installed("/usr/bin/pg_restore")))
      GTEST_SKIP() << "pg_dump or pg_restore is not installed (postgresql-client)";
  }
  ProcessResult lego(const FoundationCa& ca, const std::string& domain, const std::string& action) {
    return testing::run_with_env(
        {{"LEGO_CA_CERTIFICATES", ca.root_file()}},
        {"lego", "--server", ca.directory_url(), "--accept-tos", "--email", "admin@example.test",
         "--path", (dir_ / "lego").string(), "--domains", domain, "--http", "--http.port",
         "127.0.0.1:" + std::to_string(ca.http01_port()), action});
  }
  std::vector<std::string> with_config(std::vector<std::string> args, const FoundationCa& ca) {
    for (const auto& arg : ca.config_args()) args.push_back(arg);
    return args;
  }
  testing::TempDir dir_;
};

TEST_P(FoundationCaBackup, ARestoredStateDirServesTheSameAccountsCertificatesAndRoot) {
  FoundationCa ca({.backend = GetParam()});
  ProcessResult r = lego(ca, "kept.example.test", "run");
  ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
  std::string serial = testing::serial_of(dir_ / "lego" / "certificates" / "kept.example.test.crt");
  std::string root = read_file(ca.root_file());

  std::filesystem::path backup = dir_ / "backup";
  ProcessResult backed_up = ca.run_ca(
      with_config({"backup", "--state-dir", ca.state_dir(), "--to", backup.string()}, ca));
  ASSERT_EQ(backed_up.exit_code, 0) << backed_up.err;
  EXPECT_NE(backed_up.out.find("restore with: xmppcert-ca restore --from " + backup.string()),
            std::string::npos)
      << backed_up.out;
  EXPECT_EQ(testing::file_mode(backup), 0700u);
  EXPECT_EQ(testing::file_mode(backup / (GetParam() == Backend::kSqlite ? "ca.db" : "ca.pgdump")),
            0600u);
  EXPECT_EQ(testing::file_mode(backup / "intermediate.key"), 0600u);
  ProcessResult again = ca.run_ca(
      with_config({"backup", "--state-dir", ca.state_dir(), "--to", backup.string()}, ca));
  EXPECT_EQ(again.exit_code, 2) << "a backup is never written over another";

  // The machine is lost: a fresh state dir where the old one was, an empty database.
  ca.kill_hard();
  std::filesystem::rename(ca.state_dir(), dir_ / "lost-state");
  ca.recreate_database();
  ProcessResult restored = ca.run_ca(
      with_config({"restore", "--from", backup.string(), "--state-dir", ca.state_dir()}, ca));
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(testing::file_mode(ca.state_dir()), 0700u);
  EXPECT_EQ(testing::file_mode(std::filesystem::path(ca.state_dir()) / "intermediate.key"), 0600u);
  ca.start();

  EXPECT_EQ(read_file(ca.root_file()), root);
  ProcessResult listed =
      ca.run_ca(with_config({"list", "--state-dir", ca.state_dir(), "--json"}, ca));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  nlohmann::json rows = nlohmann::json::parse(listed.out);
  ASSERT_EQ(rows.size(), 1u) << listed.out;
  EXPECT_EQ(rows[0]["domains"][0], "kept.example.test");
  r = lego(ca, "kept.example.test", "revoke");  // the account and the certificate came back
  EXPECT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
  EXPECT_NE(testing::crl_text(ca, dir_).find(serial), std::string::npos) << serial;
  r = lego(ca, "new.example.test", "run");
  EXPECT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
}

TEST_P(FoundationCaBackup, RestoreRefusesAFolderThatIsNoBackupAndANonEmptyStateDir) {
  FoundationCa ca({.backend = GetParam()});
  ProcessResult none = ca.run_ca(with_config(
      {"restore", "--from", dir_.path().string(), "--state-dir", (dir_ / "new").string()}, ca));
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("is no backup"), std::string::npos) << none.err;
  std::filesystem::path backup = dir_ / "backup";
  ASSERT_EQ(
      ca.run_ca(with_config({"backup", "--state-dir", ca.state_dir(), "--to", backup.string()}, ca))
          .exit_code,
      0);
  ProcessResult over_live = ca.run_ca(
      with_config({"restore", "--from", backup.string(), "--state-dir", ca.state_dir()}, ca));
  EXPECT_EQ(over_live.exit_code, 2);
  EXPECT_NE(over_live.err.find("not empty"), std::string::npos) << over_live.err;
}

INSTANTIATE_TEST_SUITE_P(Storage, FoundationCaBackup,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace xmppcert
