// `enroll --dry-run` as a preflight (issue 17, finding 6): the whole plan per certificate
// and the live checks that cost nothing at the CA; exit 1 naming the check that failed, and
// nothing written either way.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/integration/cli_runner.h"
#include "tests/integration/pebble_fixture.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

class Preflight : public ::testing::Test {
 protected:
  std::string state() const { return (dir_ / "state").string(); }
  // A prosody config (never started) serving example.test and a MUC, c2s on port 15222.
  std::string prosody_config() {
    write_text(dir_ / "prosody.cfg.lua",
               "c2s_ports = { 15222 }\ns2s_ports = { 15269 }\ncertificates = \"certs\"\n"
               "VirtualHost \"example.test\"\nComponent \"conference.example.test\" \"muc\"\n");
    return (dir_ / "prosody.cfg.lua").string();
  }
  // An ACME enroll whose built-in http-01 responder would listen on a free loopback port.
  std::vector<std::string> acme_enroll(const std::string& directory) {
    return {
        "enroll",    "example.test",     "--issuer",  "acme",          "--acme-directory",
        directory,   "--http01-address", "127.0.0.1", "--http01-port", std::to_string(free_port()),
        "--dry-run", "--state-dir",      state()};
  }
  void expect_failed_check(const ProcessResult& r, const std::string& check,
                           const std::string& cause) {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    std::string line = "xmppcert: example.test: preflight: " + check;
    size_t at = r.err.find(line);
    ASSERT_NE(at, std::string::npos) << r.err;
    EXPECT_NE(r.err.substr(at, r.err.find('\n', at) - at).find(cause), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("FAILED"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));
  }
  TempDir dir_;
};

// The prosody of this config is not running: every check passes but that one (issue 23
// item 8: the dry run reports a stopped server, which a real run would not order for).
TEST_F(Preflight, ShowsTheWholePlanForALocalCaIntoProsodyAndThatProsodyIsStopped) {
  ProcessResult r = run_xmppcert({"enroll", "--server", "prosody", "--server-config",
                                  prosody_config(), "--dry-run", "--state-dir", state()});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string certs = (dir_ / "certs").string();
  for (const std::string& expected : std::vector<std::string>{
           std::string("example.test: would issue (no certificate issued yet)"),
           std::string("DNS=example.test,conference.example.test"),
           std::string("issuer:   local, key ec-p256, validity 90d"),
           std::string("install:  prosody"), certs + "/example.test.key (key, 06",
           certs + "/example.test.crt (fullchain, 0644",
           "reload:   [\"prosodyctl\",\"--config\",\"" + prosody_config() + "\",\"reload\"]",
           std::string("verify:   STARTTLS 127.0.0.1:15222 c2s, 127.0.0.1:15269 s2s"),
           "check:    prosody config readable: " + prosody_config() + ": ok",
           "check:    local CA folder creatable: " + state() + "/ca/local: ok",
           std::string("check:    prosody running: 127.0.0.1:15222 (c2s) accepts connections: "
                       "FAILED")})
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
  size_t failed = 0;
  for (size_t at = r.out.find("FAILED"); at != std::string::npos; at = r.out.find("FAILED", at + 1))
    ++failed;
  EXPECT_EQ(failed, 2u) << "only the c2s and s2s ports of the stopped prosody\n" << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "certs"));
}

TEST_F(Preflight, SaysTheAcmeCaChoosesTheValidityNotTheRequested90d) {
  ProcessResult r = run_xmppcert(acme_enroll("https://127.0.0.1:" + std::to_string(free_port())));
  EXPECT_NE(r.out.find("validity set by the CA"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("validity 90d"), std::string::npos) << r.out;
}

TEST_F(Preflight, AnAcmeDirectoryOnAClosedPortFailsNamingTheUrl) {
  const std::string url = "https://127.0.0.1:" + std::to_string(free_port()) + "/dir";
  expect_failed_check(run_xmppcert(acme_enroll(url)), "ACME directory " + url + " answers",
                      "onnect");
}

TEST_F(Preflight, AChallengePortAlreadyBoundFailsNamingAddressAndPort) {
  int port = 0;
  int listener = listen_on_loopback(port);
  std::vector<std::string> args =
      acme_enroll("https://127.0.0.1:" + std::to_string(free_port()) + "/dir");
  args[9] = std::to_string(port);  // after --http01-port
  expect_failed_check(run_xmppcert(args), "http-01 responder port free",
                      "bind 127.0.0.1:" + std::to_string(port) + ": Address already in use");
  ::close(listener);
}

TEST_F(Preflight, AWebrootWhereTheChallengeFolderCannotBeCreatedFails) {
  // .well-known is a file: the challenge folder cannot be made, even by root.
  std::filesystem::create_directories(dir_ / "www");
  write_text(dir_ / "www" / ".well-known", "");
  std::vector<std::string> args =
      acme_enroll("https://127.0.0.1:" + std::to_string(free_port()) + "/dir");
  args.insert(args.end(), {"--webroot", (dir_ / "www").string()});
  expect_failed_check(run_xmppcert(args), "http-01 webroot writable",
                      (dir_ / "www" / ".well-known").string() + " is not a directory");
}

}  // namespace
}  // namespace xmppcert::testing
