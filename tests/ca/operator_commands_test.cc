// What an operator runs beside serve: list and revoke on either storage backend (the CRL
// every instance serves lists an operator's revocation), accounts (list, deactivate) and eab
// (keys in the database that open accounts where EAB is required), init and serve printing the root's
// fingerprint and the directory URL, --version, help per command and a suggestion for a
// mistyped command.
// Backends: FoundationCaOperator on both; FoundationCaCommands are the command line and
// init's files (ca.db's mode is SQLite's own), on SQLite.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "tests/ca/ca_fixture.h"
#include "tests/ca/interop_support.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert {
namespace {

using nlohmann::json;
using testing::Backend;
using testing::FoundationCa;
using testing::ProcessResult;

std::vector<std::string> with(std::vector<std::string> args, const FoundationCa& ca) {
  for (const auto& arg : ca.config_args()) args.push_back(arg);
  return args;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

class FoundationCaOperator : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
      GTEST_SKIP() << missing;
  }
};

TEST_P(FoundationCaOperator, ListShowsTheIssuedCertificateAndRevokeBySerialPutsItInTheCrl) {
  FoundationCa ca({.backend = GetParam()});
  testing::TempDir state;
  ProcessResult enrolled =
      testing::run_xmppcert({"enroll", "list.example.test", "--state-dir", state.path().string(),
                             "--issuer", "foundation", "--acme-directory", ca.directory_url(),
                             "--acme-trust", ca.root_file(), "--acme-agree-tos", "--http01-address",
                             "127.0.0.1", "--http01-port", std::to_string(ca.http01_port())});
  ASSERT_EQ(enrolled.exit_code, 0) << enrolled.err << "\nCA log:\n" << ca.log();
  std::string serial = lower(testing::serial_of(testing::find_file(state.path(), "cert.pem")));

  ProcessResult listed =
      testing::run_xmppcert_ca(with({"list", "--state-dir", ca.state_dir(), "--json"}, ca));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  json rows = json::parse(listed.out);
  ASSERT_EQ(rows.size(), 1u) << listed.out;
  EXPECT_EQ(rows[0]["serial"], serial);
  EXPECT_EQ(rows[0]["status"], "valid");
  EXPECT_EQ(rows[0]["domains"][0], "list.example.test") << listed.out;
  ProcessResult by_domain = testing::run_xmppcert_ca(
      with({"list", "--state-dir", ca.state_dir(), "--domain", "other.example.test"}, ca));
  EXPECT_NE(by_domain.out.find("0 certificates"), std::string::npos) << by_domain.out;

  ProcessResult revoked = testing::run_xmppcert_ca(with(
      {"revoke", "--state-dir", ca.state_dir(), "--serial", serial, "--reason", "keyCompromise"},
      ca));
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_NE(revoked.out.find("revoked serial " + serial), std::string::npos) << revoked.out;
  rows = json::parse(
      testing::run_xmppcert_ca(with({"list", "--state-dir", ca.state_dir(), "--json"}, ca)).out);
  EXPECT_EQ(rows[0]["status"], "revoked");
  EXPECT_EQ(rows[0]["reason"], 1);
  testing::TempDir crl_dir;
  std::string crl = lower(testing::crl_text(ca, crl_dir));
  EXPECT_NE(crl.find(serial), std::string::npos) << crl;
  EXPECT_NE(crl.find("key compromise"), std::string::npos) << crl;

  ProcessResult unknown = testing::run_xmppcert_ca(
      with({"revoke", "--state-dir", ca.state_dir(), "--serial", "abcdef"}, ca));
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("abcdef"), std::string::npos) << unknown.err;
}

TEST_P(FoundationCaOperator, EabKeyAddedToTheDatabaseOpensAnAccountThatDeactivatingLocksOut) {
  FoundationCa ca({.backend = GetParam(), .config_json = R"({"eab": {"required": true}})"});
  testing::TempDir client;
  auto enroll = [&](const std::string& domain, const std::string& state,
                    std::vector<std::string> eab) {
    std::vector<std::string> args{"enroll", domain, "--state-dir", (client / state).string(),
                                  "--issuer", "foundation", "--acme-directory",
                                  ca.directory_url(), "--acme-trust", ca.root_file(),
                                  "--acme-agree-tos", "--http01-address", "127.0.0.1",
                                  "--http01-port", std::to_string(ca.http01_port())};
    args.insert(args.end(), eab.begin(), eab.end());
    return testing::run_xmppcert(args);
  };
  ProcessResult added = testing::run_xmppcert_ca(
      with({"eab", "add", "--state-dir", ca.state_dir(), "--kid", "member-1"}, ca));
  ASSERT_EQ(added.exit_code, 0) << added.err;
  size_t at = added.out.find("hmac_key: ");
  ASSERT_NE(at, std::string::npos) << added.out;
  std::string hmac = added.out.substr(at + 10, added.out.find('\n', at) - at - 10);
  std::string hmac_file = (client / "hmac").string();
  testing::write_text(hmac_file, hmac);
  ::chmod(hmac_file.c_str(), 0600);
  ProcessResult listed_keys = testing::run_xmppcert_ca(
      with({"eab", "list", "--state-dir", ca.state_dir(), "--json"}, ca));
  ASSERT_EQ(listed_keys.exit_code, 0) << listed_keys.err;
  EXPECT_EQ(json::parse(listed_keys.out)[0]["kid"], "member-1") << listed_keys.out;
  EXPECT_EQ(listed_keys.out.find(hmac), std::string::npos);  // shown once, at add

  EXPECT_NE(enroll("open.example.test", "unbound", {}).exit_code, 0);
  const std::vector<std::string> eab{"--acme-eab-kid", "member-1", "--acme-eab-hmac-file",
                                     hmac_file};
  ProcessResult bound = enroll("member.example.test", "member", eab);
  ASSERT_EQ(bound.exit_code, 0) << bound.err << "\nCA log:\n" << ca.log();
  ProcessResult accounts = testing::run_xmppcert_ca(
      with({"accounts", "--state-dir", ca.state_dir(), "--json"}, ca));
  ASSERT_EQ(accounts.exit_code, 0) << accounts.err;
  json rows = json::parse(accounts.out);
  ASSERT_EQ(rows.size(), 1u) << accounts.out;
  EXPECT_EQ(rows[0]["eab_kid"], "member-1");
  EXPECT_EQ(rows[0]["status"], "valid");
  std::string id = std::to_string(rows[0]["id"].get<long long>());

  ProcessResult deactivated = testing::run_xmppcert_ca(
      with({"accounts", "deactivate", "--state-dir", ca.state_dir(), "--id", id}, ca));
  ASSERT_EQ(deactivated.exit_code, 0) << deactivated.err;
  EXPECT_NE(deactivated.out.find("deactivated account " + id), std::string::npos);
  ProcessResult locked_out = enroll("second.example.test", "member", eab);
  EXPECT_NE(locked_out.exit_code, 0);
  EXPECT_NE(locked_out.err.find("deactivated"), std::string::npos) << locked_out.err;

  ProcessResult removed = testing::run_xmppcert_ca(
      with({"eab", "remove", "--state-dir", ca.state_dir(), "--kid", "member-1"}, ca));
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  ProcessResult after = enroll("late.example.test", "late", eab);
  EXPECT_NE(after.exit_code, 0);
  EXPECT_NE(after.err.find("member-1"), std::string::npos) << after.err;
  ProcessResult typo = testing::run_xmppcert_ca(
      with({"eab", "delete", "--state-dir", ca.state_dir(), "--kid", "member-1"}, ca));
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("add, list, remove"), std::string::npos) << typo.err;
}

// `eab add` binds a key id to the first account it opens; `--reusable` lets one key open the
// accounts of a member's several hosts. Both are kept in the database, on either backend.
TEST_P(FoundationCaOperator, EabKeyAddedAsReusableOpensSeveralAccountsAndAPlainOneOnlyOne) {
  FoundationCa ca({.backend = GetParam(), .config_json = R"({"eab": {"required": true}})"});
  testing::TempDir client;
  auto add = [&](const std::string& kid, bool reusable) {
    std::vector<std::string> args{"eab", "add", "--state-dir", ca.state_dir(), "--kid", kid};
    if (reusable) args.push_back("--reusable");
    ProcessResult added = testing::run_xmppcert_ca(with(args, ca));
    EXPECT_EQ(added.exit_code, 0) << added.err;
    size_t at = added.out.find("hmac_key: ");
    std::string file = (client / kid).string();
    testing::write_text(file, added.out.substr(at + 10, added.out.find('\n', at) - at - 10));
    ::chmod(file.c_str(), 0600);
    return file;
  };
  auto enroll = [&](const std::string& domain, const std::string& kid, const std::string& hmac) {
    return testing::run_xmppcert(
        {"enroll", domain, "--state-dir", (client / domain).string(), "--issuer", "foundation",
         "--acme-directory", ca.directory_url(), "--acme-trust", ca.root_file(),
         "--acme-agree-tos", "--http01-address", "127.0.0.1", "--http01-port",
         std::to_string(ca.http01_port()), "--acme-eab-kid", kid, "--acme-eab-hmac-file", hmac});
  };
  std::string shared = add("member-hosts", true);
  std::string single = add("one-host", false);
  ProcessResult listed = testing::run_xmppcert_ca(
      with({"eab", "list", "--state-dir", ca.state_dir(), "--json"}, ca));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  json keys = json::parse(listed.out);
  ASSERT_EQ(keys.size(), 2u) << listed.out;
  EXPECT_EQ(keys[0]["kid"], "member-hosts");
  EXPECT_EQ(keys[0]["reusable"], true);
  EXPECT_EQ(keys[1]["reusable"], false);

  for (const char* domain : {"a.example.test", "b.example.test"}) {
    ProcessResult r = enroll(domain, "member-hosts", shared);
    EXPECT_EQ(r.exit_code, 0) << domain << ": " << r.err << "\nCA log:\n" << ca.log();
  }
  ProcessResult first = enroll("c.example.test", "one-host", single);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  ProcessResult second = enroll("d.example.test", "one-host", single);
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("one-host"), std::string::npos) << second.err;

  ProcessResult misplaced = testing::run_xmppcert_ca(
      with({"eab", "list", "--state-dir", ca.state_dir(), "--reusable"}, ca));
  EXPECT_EQ(misplaced.exit_code, 2);
  EXPECT_NE(misplaced.err.find("eab add"), std::string::npos) << misplaced.err;
}

INSTANTIATE_TEST_SUITE_P(Storage, FoundationCaOperator,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

TEST(FoundationCaCommands, InitAndServePrintTheRootFingerprintAndTheDirectoryUrl) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  FoundationCa ca;
  std::string pin = ca.root_sha256();
  EXPECT_NE(ca.log().find("root sha256 fingerprint: " + pin), std::string::npos) << ca.log();
  EXPECT_NE(ca.log().find("ACME directory: " + ca.directory_url()), std::string::npos) << ca.log();

  testing::TempDir dir;
  ProcessResult init = testing::run_xmppcert_ca(
      {"init", "--state-dir", (dir.path() / "ca").string(), "--hostname", "ca.example.test"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.out.find("root sha256 fingerprint: "), std::string::npos) << init.out;
  EXPECT_NE(init.out.find("ACME directory: https://ca.example.test:PORT/directory"),
            std::string::npos)
      << init.out;
}

TEST(FoundationCaCommands, InitCreatesTheDatabaseReadableOnlyByTheCaWhateverTheUmask) {
  testing::TempDir dir;
  mode_t before = ::umask(022);  // an admin's usual umask, inherited by init
  ProcessResult init = testing::run_xmppcert_ca(
      {"init", "--state-dir", (dir.path() / "ca").string(), "--hostname", "ca.example.test"});
  ::umask(before);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(testing::file_mode(dir.path() / "ca" / "ca.db"), 0600u);
  EXPECT_EQ(testing::file_mode(dir.path() / "ca"), 0700u);
}

TEST(FoundationCaCommands, VersionHelpPerCommandAndASuggestionForATypo) {
  ProcessResult version = testing::run_xmppcert_ca({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("xmppcert-ca ", 0), 0u) << version.out;
  ProcessResult help = testing::run_xmppcert_ca({"revoke", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--serial HEX"), std::string::npos) << help.out;
  ProcessResult typo = testing::run_xmppcert_ca({"lst"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean \"list\""), std::string::npos) << typo.err;
}

}  // namespace
}  // namespace xmppcert
