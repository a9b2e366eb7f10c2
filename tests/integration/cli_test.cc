// The `xmppcert` binary end to end: exit codes, what it writes (and does not write), and the
// certificate as OpenSSL's own command line prints it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/fs.h"
#include "engine/state_lock.h"
#include "tests/integration/cli_runner.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::ProcessResult;
using testing::TempDir;

// Every test here runs the real binary.
ProcessResult xmppcert(std::vector<std::string> args) {
  return testing::run_xmppcert(std::move(args));
}

class Cli : public ::testing::Test {
 protected:
  std::string state() const { return (dir_ / "state").string(); }
  bool state_exists() const { return std::filesystem::exists(dir_ / "state"); }
  void expect_usage_error(const ProcessResult& r, const std::string& fragment) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_FALSE(state_exists()) << "nothing may be written on a usage error";
  }
  std::string config(const std::string& text) {
    auto path = dir_ / "xmppcert.json";
    testing::write_text(path, text);
    return path.string();
  }
  TempDir dir_;
};

TEST_F(Cli, EnrollWritesACertificateThatOpenSslShowsWithDnsSrvNameAndXmppAddr) {
  ProcessResult r =
      xmppcert({"enroll", "example.test", "--component", "conference", "--state-dir", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("example.test: issued v1 by local"), std::string::npos) << r.out;
  auto version = dir_ / "state" / "certs" / "example.test" / "v1";
  ProcessResult text = testing::run_process(
      {"openssl", "x509", "-noout", "-text", "-in", (version / "cert.pem").string()});
  ASSERT_EQ(text.exit_code, 0);
  for (const char* expected :
       {"DNS:example.test", "DNS:conference.example.test", "SRVName::_xmpp-client.example.test",
        "SRVName::_xmpp-server.example.test", "SRVName::_xmpp-server.conference.example.test",
        "XmppAddr::example.test", "XmppAddr::conference.example.test",
        "TLS Web Client Authentication", "TLS Web Server Authentication", "CA:FALSE"})
    EXPECT_NE(text.out.find(expected), std::string::npos) << expected;
  EXPECT_EQ(text.out.find("SRVName::_xmpp-client.conference"), std::string::npos);
  EXPECT_EQ(testing::file_mode(version / "privkey.pem"), 0600u);
  ProcessResult verify =
      testing::run_process({"openssl", "verify", "-CAfile", (version / "chain.pem").string(),
                            (version / "cert.pem").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(Cli, StatusJsonListsTheEnrolledCertificate) {
  ASSERT_EQ(xmppcert({"enroll", "example.test", "--state-dir", state()}).exit_code, 0);
  ProcessResult r = xmppcert({"status", "--json", "--state-dir", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["name"], "example.test");
  EXPECT_EQ(json[0]["issuer"], "local");
  EXPECT_TRUE(json[0]["last_attempt"]["ok"].get<bool>());
  EXPECT_TRUE(json[0].contains("not_after"));
  EXPECT_TRUE(json[0].contains("next_renewal"));
  ProcessResult text = xmppcert({"status", "--state-dir", state()});
  EXPECT_EQ(text.out.rfind("example.test v1 issuer=local expires=", 0), 0u) << text.out;
}

TEST_F(Cli, EveryKeyTypeEnrolls) {
  for (const char* type : {"ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096"}) {
    std::string domain = std::string(type) + ".example.test";
    ProcessResult r = xmppcert({"enroll", domain, "--key-type", type, "--state-dir", state()});
    EXPECT_EQ(r.exit_code, 0) << type << r.err;
  }
}

TEST_F(Cli, InternationalisedDomainIsStoredUnderItsALabelName) {
  ProcessResult r = xmppcert({"enroll", "bücher.example", "--state-dir", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto cert = dir_ / "state" / "certs" / "xn--bcher-kva.example" / "v1" / "cert.pem";
  ProcessResult text =
      testing::run_process({"openssl", "x509", "-noout", "-text", "-in", cert.string()});
  EXPECT_NE(text.out.find("DNS:xn--bcher-kva.example"), std::string::npos);
  EXPECT_NE(text.out.find("SRVName::_xmpp-server.xn--bcher-kva.example"), std::string::npos);
}

TEST_F(Cli, RenewSkipsWhatIsNotDueAndRenewsWhenForced) {
  ASSERT_EQ(xmppcert({"enroll", "example.test", "--state-dir", state()}).exit_code, 0);
  ProcessResult not_due = xmppcert({"renew", "--state-dir", state()});
  EXPECT_EQ(not_due.exit_code, 0);
  EXPECT_NE(not_due.out.find("example.test: up to date, not due until"), std::string::npos)
      << not_due.out;
  ProcessResult forced = xmppcert({"renew", "example.test", "--force", "--state-dir", state()});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("issued v2"), std::string::npos) << forced.out;
}

TEST_F(Cli, RenewIssuesACertificateOnceTwoThirdsOfItsLifetimeHavePassed) {
  ASSERT_EQ(
      xmppcert({"enroll", "example.test", "--validity", "3s", "--state-dir", state()}).exit_code,
      0);
  ProcessResult early = xmppcert({"renew", "--state-dir", state()});
  EXPECT_NE(early.out.find("up to date"), std::string::npos) << early.out;
  // A 3 s certificate (backdated by a tenth at most) is past two thirds after 2 s.
  // Real time by design: the CLI under test is a separate process on the real clock.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  ProcessResult r = xmppcert({"renew", "--state-dir", state()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("issued v2"), std::string::npos) << r.out;
}

TEST_F(Cli, ConfigDescribesSeveralCertificatesAndInstallsThroughTheFilesPlugin) {
  auto installed = dir_ / "installed";
  std::filesystem::create_directories(installed);
  std::string path = config(R"({
    // two certificates, one installed
    "state_dir": ")" + state() +
                            R"(",
    "certificates": {
      "a.example.test": { "components": ["conference"],
        "install": { "plugin": "files", "key": ")" +
                            (installed / "a.key").string() + R"(",
                     "fullchain": ")" +
                            (installed / "a.crt").string() + R"(", "key_mode": "0640",
                     "reload": ["/bin/touch", ")" +
                            (installed / "reloaded").string() + R"("] } },
      "b.example.test": { "key_type": "ec-p384" }
    }
  })");
  ProcessResult r = xmppcert({"enroll", "--config", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::file_mode(installed / "a.key"), 0640u);
  EXPECT_TRUE(std::filesystem::exists(installed / "reloaded"));
  EXPECT_EQ(read_file(installed / "a.crt"),
            read_file(dir_ / "state" / "certs" / "a.example.test" / "v1" / "fullchain.pem"));
  auto json = nlohmann::json::parse(xmppcert({"status", "--json", "--config", path}).out);
  EXPECT_EQ(json.size(), 2u);
}

TEST_F(Cli, TheReloadCommandKnowsWhichCertificateItReloadsFor) {
  auto installed = dir_ / "a.crt";
  auto seen = dir_ / "environment";
  // /usr/bin/env is run directly (argv, no shell); /bin/sh -c only redirects its output.
  std::string path =
      config(R"({"state_dir": ")" + state() + R"(", "certificates": {"a.example.test": {
      "components": ["conference"],
      "install": {"plugin": "files", "fullchain": ")" +
             installed.string() + R"(",
                  "reload": ["/bin/sh", "-c", "/usr/bin/env > )" +
             seen.string() + R"("]}}}})");
  ASSERT_EQ(xmppcert({"enroll", "--config", path}).exit_code, 0);
  ASSERT_EQ(xmppcert({"renew", "--force", "--config", path}).exit_code, 0);
  std::string env = read_file(seen);
  const std::string v2 = (dir_ / "state" / "certs" / "a.example.test" / "v2").string();
  for (const std::string& line : std::vector<std::string>{
           "XMPPCERT_NAME=a.example.test", "XMPPCERT_VERSION=2",
           "XMPPCERT_DOMAINS=a.example.test conference.a.example.test",
           "XMPPCERT_FULLCHAIN=" + v2 + "/fullchain.pem", "XMPPCERT_KEY=" + v2 + "/privkey.pem",
           "XMPPCERT_INSTALLED=" + installed.string()})
    EXPECT_NE(env.find(line + "\n"), std::string::npos) << line << " not in:\n" << env;
  EXPECT_EQ(env.find("LD_PRELOAD"), std::string::npos);
}

TEST_F(Cli, FailedReloadKeepsThePreviousInstalledCertificateAndExitsOne) {
  auto installed = dir_ / "a.crt";
  auto flag = dir_ / "fail-reload";
  std::string path =
      config(R"({"state_dir": ")" + state() + R"(", "certificates": {"a.example.test": {
      "install": {"plugin": "files", "fullchain": ")" +
             installed.string() + R"(",
                  "reload": ["/bin/sh", "-c", "if [ -e )" +
             flag.string() + R"( ]; then rm )" + flag.string() + R"(; exit 1; fi"]}}}})");
  ASSERT_EQ(xmppcert({"enroll", "--config", path}).exit_code, 0);
  std::string before = read_file(installed);
  testing::write_text(flag, "");  // the next reload fails once
  ProcessResult r = xmppcert({"renew", "--force", "--config", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("previous certificate v1 restored"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(installed), before);
  auto json = nlohmann::json::parse(xmppcert({"status", "--json", "--config", path}).out);
  EXPECT_EQ(json[0]["version"], 1);
  EXPECT_FALSE(json[0]["last_attempt"]["ok"].get<bool>());
}

TEST_F(Cli, CaExportPrintsTheRootThatSignedTheCertificates) {
  ASSERT_EQ(xmppcert({"enroll", "example.test", "--state-dir", state()}).exit_code, 0);
  ProcessResult r = xmppcert({"ca", "export", "--state-dir", state()});
  ASSERT_EQ(r.exit_code, 0);
  testing::write_text(dir_ / "root.pem", r.out);
  ProcessResult verify = testing::run_process(
      {"openssl", "verify", "-CAfile", (dir_ / "root.pem").string(),
       (dir_ / "state" / "certs" / "example.test" / "v1" / "cert.pem").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST_F(Cli, CaInitCreatesTheCaOnceAndEnrollSignsWithThatRoot) {
  ProcessResult first = xmppcert({"ca", "init", "--state-dir", state()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  ProcessResult again = xmppcert({"ca", "init", "--state-dir", state()});
  EXPECT_EQ(again.out, first.out);  // idempotent: the same root, never a second CA
  EXPECT_EQ(xmppcert({"ca", "export", "--state-dir", state()}).out, first.out);
  ASSERT_EQ(xmppcert({"enroll", "example.test", "--state-dir", state()}).exit_code, 0);
  testing::write_text(dir_ / "root.pem", first.out);
  ProcessResult verify = testing::run_process(
      {"openssl", "verify", "-CAfile", (dir_ / "root.pem").string(),
       (dir_ / "state" / "certs" / "example.test" / "v1" / "cert.pem").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST_F(Cli, DryRunValidatesAndWritesNothing) {
  ProcessResult r = xmppcert(
      {"enroll", "example.test", "--component", "upload", "--dry-run", "--state-dir", state()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SRV=_xmpp-client.example.test,_xmpp-server.example.test,_xmpp-server."
                       "upload.example.test"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(state_exists());
}

TEST_F(Cli, MalformedDomainIsAUsageError) {
  expect_usage_error(xmppcert({"enroll", "exa_mple.test", "--state-dir", state()}),
                     "invalid domain \"exa_mple.test\"");
}

TEST_F(Cli, UnknownKeyTypeIsAUsageError) {
  expect_usage_error(
      xmppcert({"enroll", "example.test", "--key-type", "dsa-1024", "--state-dir", state()}),
      "unknown key type \"dsa-1024\"");
}

TEST_F(Cli, JsonSyntaxErrorIsAUsageErrorWithLineAndColumn) {
  std::string path =
      config("{\n  \"certificates\": {\n    \"a.test\": { \"components\": [\"x\",] }\n  }\n}\n");
  expect_usage_error(xmppcert({"enroll", "--config", path, "--state-dir", state()}),
                     "line 3, column");
}

TEST_F(Cli, UnknownConfigKeyIsAUsageErrorNamingKeyAndLine) {
  std::string path = config(
      "{\n  \"certificates\": {\n    \"a.example.test\": {\n      \"key-type\": \"ec-p256\"\n    "
      "}\n  }\n}\n");
  expect_usage_error(xmppcert({"enroll", "--config", path, "--state-dir", state()}),
                     path + ":4: certificates.\"a.example.test\": unknown key \"key-type\"");
}

// The install settings are checked by their plugin after the config is loaded: the line is
// still named, as xmppcert.conf(5) promises.
TEST_F(Cli, UnknownInstallKeyIsAUsageErrorNamingKeyAndLine) {
  std::string path = config(
      "{\n  \"certificates\": {\n    \"a.example.test\": {\n      \"install\": {\n"
      "        \"plugin\": \"files\",\n        \"fullchain\": \"/tmp/a.crt\",\n"
      "        \"keymode\": \"0600\"\n      }\n    }\n  }\n}\n");
  expect_usage_error(
      xmppcert({"enroll", "--config", path, "--state-dir", state()}),
      path + ":7: certificates.\"a.example.test\".install: unknown key \"keymode\"");
}

TEST_F(Cli, BadInstallValueIsAUsageErrorNamingKeyAndLine) {
  std::string path = config(
      "{\n  \"certificates\": {\n    \"a.example.test\": {\n      \"install\": {\n"
      "        \"plugin\": \"files\",\n        \"key\": \"/tmp/a.key\",\n"
      "        \"key_mode\": \"0644\"\n      }\n    }\n  }\n}\n");
  expect_usage_error(xmppcert({"enroll", "--config", path, "--state-dir", state()}),
                     path + ":7: certificates.\"a.example.test\".install.key_mode: ");
}

TEST_F(Cli, UnknownIssuerIsAUsageError) {
  expect_usage_error(
      xmppcert({"enroll", "example.test", "--issuer", "nope", "--state-dir", state()}),
      "unknown issuer \"nope\"");
}

TEST_F(Cli, StateDirThatIsNotWritableIsAUsageError) {
  auto locked = dir_ / "locked";
  std::filesystem::create_directories(locked);
  std::filesystem::permissions(locked, std::filesystem::perms(0555));
  // Root writes anywhere: prove it as an unprivileged user instead, running a copy of the
  // binary that user can reach whatever the permissions of the build tree.
  auto binary = dir_ / "xmppcert";
  std::filesystem::copy_file(XMPPCERT_BINARY, binary);
  std::filesystem::permissions(binary, std::filesystem::perms(0755));
  std::vector<std::string> argv{binary.string(), "enroll", "example.test", "--state-dir",
                                (locked / "state").string()};
  if (::geteuid() == 0)
    argv.insert(argv.begin(), {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"});
  ProcessResult r = testing::run_process(argv);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("state dir " + (locked / "state").string() + " is not writable"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(locked / "state"));
}

TEST_F(Cli, StateDirUnderAFileIsAUsageError) {
  testing::write_text(dir_ / "file", "");
  ProcessResult r =
      xmppcert({"enroll", "example.test", "--state-dir", (dir_ / "file" / "state").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("not writable"), std::string::npos) << r.err;
}

TEST_F(Cli, SecondRunFailsCleanlyWhileAnotherHoldsTheLock) {
  std::filesystem::create_directories(dir_ / "state");
  StateLock held(dir_ / "state", std::chrono::milliseconds(0));
  ProcessResult r =
      xmppcert({"enroll", "example.test", "--lock-wait", "1s", "--state-dir", state()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("another xmppcert run"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state" / "certs"));
}

TEST_F(Cli, UnknownCommandSuggestsTheNearestOne) {
  ProcessResult r = xmppcert({"enrol"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean \"enroll\""), std::string::npos) << r.err;
}

const char* const kEveryCommand[] = {"enroll", "renew", "status", "revoke",        "account",
                                     "check",  "dane",  "posh",   "enroll-client", "ca"};

TEST_F(Cli, TopLevelHelpListsEveryCommandAndExitsZero) {
  for (const char* flag : {"--help", "-h", "help"}) {
    ProcessResult r = xmppcert({flag});
    EXPECT_EQ(r.exit_code, 0) << flag << ": " << r.err;
    EXPECT_EQ(r.err, "") << flag;
    for (const char* command : kEveryCommand)
      EXPECT_NE(r.out.find(std::string("\n  ") + command + " "), std::string::npos)
          << flag << " does not list " << command << ":\n"
          << r.out;
    EXPECT_NE(r.out.find("exit codes"), std::string::npos) << flag;
  }
}

TEST_F(Cli, NoArgumentsPrintsTheHelpAsAUsageError) {
  ProcessResult r = xmppcert({});
  EXPECT_EQ(r.exit_code, 2);
  for (const char* command : kEveryCommand)
    EXPECT_NE(r.err.find(std::string("\n  ") + command + " "), std::string::npos) << command;
}

TEST_F(Cli, EverySubcommandHasHelpAndTheToolHasAVersion) {
  for (const char* command : kEveryCommand) {
    ProcessResult r = xmppcert({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.out.find("usage: xmppcert"), std::string::npos) << command;
    EXPECT_NE(r.out.find("exit codes"), std::string::npos) << command;
  }
  ProcessResult v = xmppcert({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("xmppcert ", 0), 0u);
}

}  // namespace
}  // namespace xmppcert
