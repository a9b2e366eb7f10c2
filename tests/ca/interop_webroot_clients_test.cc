// ACME clients from Debian that only write http-01 token files, obtaining and revoking
// certificates from xmppcert-ca: uacme (through a hook script) and dehydrated (into its
// WELLKNOWN directory). A loopback web server serves those files on the CA's validation
// port, as a site's web server would; each revoked serial must show up in the CA's CRL.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "tests/ca/ca_fixture.h"
#include "tests/ca/interop_support.h"
#include "tests/ca/webroot_server.h"

namespace xmppcert {
namespace {

using testing::FoundationCa;
using testing::ProcessResult;

// On both storage backends: issuance and revocation are what the SA stores.
class FoundationCaWebrootClients : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
      GTEST_SKIP() << missing;
    ca_ = std::make_unique<FoundationCa>(testing::FoundationCaOptions{.backend = GetParam()});
  }
  std::unique_ptr<FoundationCa> ca_;
  testing::TempDir dir_;
  std::filesystem::path webroot_ = dir_ / "webroot";
};

// uacme's hook contract: METHOD TYPE IDENT TOKEN AUTH; declining (exit 1) any challenge but
// http-01 makes uacme pick http-01.
void write_uacme_hook(const std::filesystem::path& hook, const std::filesystem::path& webroot) {
  const std::string dir = "'" + webroot.string() + "'";  // a temp dir: no quote in it
  testing::write_text(hook,
                      "#!/bin/sh\n[ \"$2\" = http-01 ] || exit 1\ncase \"$1\" in\n"
                      "  begin) printf '%s' \"$5\" > " +
                          dir +
                          "/\"$4\" ;;\n"
                          "  *) rm -f " +
                          dir + "/\"$4\" ;;\nesac\n");
  ::chmod(hook.c_str(), 0700);
}

// uacme 1.7.4 (Debian 12) cannot be told a CA file: its libcurl trusts /etc/ssl/certs. So
// it runs in a private mount namespace where /etc/ssl/certs holds only the CA's root.
std::vector<std::string> trusting_only(const std::filesystem::path& trust_dir,
                                       std::vector<std::string> argv) {
  std::vector<std::string> full{"unshare",
                                "--mount",
                                "--propagation",
                                "private",
                                "--",
                                "sh",
                                "-c",
                                "mount --bind \"$0\" /etc/ssl/certs && exec \"$@\"",
                                trust_dir.string()};
  full.insert(full.end(), argv.begin(), argv.end());
  return full;
}

TEST_P(FoundationCaWebrootClients, UacmeObtainsWithHttp01HookAndRevokesWithCertificateKey) {
  if (!testing::installed("/usr/bin/uacme")) GTEST_SKIP() << "uacme is not installed";
  if (::geteuid() != 0) GTEST_SKIP() << "uacme's trust needs a mount namespace (root)";
  testing::WebrootServer web(ca_->http01_port(), webroot_);
  std::filesystem::create_directories(dir_ / "trust");
  std::filesystem::copy_file(ca_->root_file(), dir_ / "trust" / "foundation-root.pem");
  write_uacme_hook(dir_ / "hook.sh", webroot_);
  std::vector<std::string> uacme{
      "uacme", "-v", "-y", "-c", (dir_ / "uacme").string(), "-a", ca_->directory_url()};
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = uacme;
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run_process(trusting_only(dir_ / "trust", argv));
  };
  ProcessResult r = run({"new", "admin@example.test"});
  ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca_->log();
  r = run({"-h", (dir_ / "hook.sh").string(), "issue", "uacme.example.test"});
  ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca_->log();
  auto cert = dir_ / "uacme" / "uacme.example.test" / "cert.pem";
  ASSERT_TRUE(std::filesystem::exists(cert)) << r.err;
  std::string serial = testing::serial_of(cert);
  // Signed with the certificate's own key (RFC 8555 7.6's second way), not the account's.
  r = run({"revoke", cert.string(),
           (dir_ / "uacme" / "private" / "uacme.example.test" / "key.pem").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca_->log();
  EXPECT_NE(testing::crl_text(*ca_, dir_).find(serial), std::string::npos) << serial;
}

TEST_P(FoundationCaWebrootClients, DehydratedObtainsWithHttp01WellknownAndRevokes) {
  if (!testing::installed("/usr/bin/dehydrated")) GTEST_SKIP() << "dehydrated is not installed";
  testing::WebrootServer web(ca_->http01_port(), webroot_);
  std::filesystem::create_directories(dir_ / "dehydrated");
  // dehydrated sources its config as bash; curl (the command) takes the CA's root.
  std::string config = (dir_ / "dehydrated.conf").string();
  testing::write_text(config, "CA=\"" + ca_->directory_url() + "\"\nBASEDIR=\"" +
                                  (dir_ / "dehydrated").string() + "\"\nWELLKNOWN=\"" +
                                  webroot_.string() +
                                  "\"\nCHALLENGETYPE=\"http-01\"\nKEY_ALGO=prime256v1\n"
                                  "CURL_OPTS=\"--cacert " +
                                  ca_->root_file() + "\"\n");
  ProcessResult r =
      testing::run_process({"dehydrated", "--config", config, "--register", "--accept-terms"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << "\nCA log:\n" << ca_->log();
  r = testing::run_process(
      {"dehydrated", "--config", config, "--cron", "--domain", "dehydrated.example.test"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << "\nCA log:\n" << ca_->log();
  auto cert = dir_ / "dehydrated" / "certs" / "dehydrated.example.test" / "cert.pem";
  ASSERT_TRUE(std::filesystem::exists(cert)) << r.out;
  std::string serial = testing::serial_of(cert);
  r = testing::run_process({"dehydrated", "--config", config, "--revoke", cert.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << "\nCA log:\n" << ca_->log();
  EXPECT_NE(testing::crl_text(*ca_, dir_).find(serial), std::string::npos) << serial;
}

INSTANTIATE_TEST_SUITE_P(Storage, FoundationCaWebrootClients,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace xmppcert
