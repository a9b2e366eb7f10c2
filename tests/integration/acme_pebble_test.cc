// The ACME issuer against the real pebble: http-01 through the built-in responder, dns-01
// through a hook that feeds challtestsrv, nonce rejection, and pebble going away.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "engine/certificate.h"
#include "engine/enroll.h"
#include "engine/fs.h"
#include "engine/http.h"
#include "engine/log.h"
#include "plugins/issuers/acme/account.h"
#include "plugins/issuers/acme/acme_issuer.h"
#include "tests/integration/bind_server.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/fault_proxy.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert {
namespace {

using testing::Fault;
using testing::FaultProxy;
using testing::Pebble;
using testing::ProcessResult;

// Every test here runs the real binary.
ProcessResult xmppcert(std::vector<std::string> args) {
  return testing::run_xmppcert(std::move(args));
}

class AcmePebble : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Pebble::available()) GTEST_SKIP() << "pebble is not installed (apt-get install pebble)";
  }
  std::vector<std::string> acme_flags(const Pebble& pebble) {
    return {"--issuer",
            "acme",
            "--acme-directory",
            pebble.directory_url(),
            "--acme-trust",
            pebble.trust_file(),
            "--acme-agree-tos",
            "--acme-email",
            "admin@example.test",
            "--http01-address",
            "127.0.0.1",
            "--http01-port",
            std::to_string(pebble.http01_port())};
  }
};

TEST_F(AcmePebble, EnrollsThroughHttp01AndReportsTheIdentitiesPebbleDropped) {
  Pebble pebble;
  std::string state = (pebble.dir() / "state").string();
  std::vector<std::string> args{"enroll",     "xmpp.example.test", "--component",
                                "conference", "--state-dir",       state};
  for (auto& flag : acme_flags(pebble)) args.push_back(flag);
  ProcessResult r = xmppcert(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("dropped requested identities"), std::string::npos) << r.err;
  auto status = nlohmann::json::parse(xmppcert({"status", "--json", "--state-dir", state}).out);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0]["issuer"], "acme");
  EXPECT_EQ(status[0]["identities"]["dns"],
            (nlohmann::json{"xmpp.example.test", "conference.xmpp.example.test"}));
  auto dropped = status[0]["dropped_identities"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(dropped.begin(), dropped.end(), "SRV:_xmpp-client.xmpp.example.test"),
            dropped.end());
  EXPECT_NE(std::find(dropped.begin(), dropped.end(), "XmppAddr:xmpp.example.test"), dropped.end());
  auto account_key = pebble.dir() / "state" / "acme";
  bool found = false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(account_key))
    if (entry.path().filename() == "account.key") {
      found = true;
      EXPECT_EQ(testing::file_mode(entry.path()), 0600u);
    }
  EXPECT_TRUE(found);

  // A renewal reuses the stored request and account.
  ProcessResult renewed = xmppcert({"renew", "--force", "--state-dir", state});
  EXPECT_EQ(renewed.exit_code, 0) << renewed.err;
  EXPECT_NE(renewed.out.find("issued v2"), std::string::npos) << renewed.out;
}

TEST_F(AcmePebble, EveryIssuanceSucceedsWhenPebbleRejectsThirtyPercentOfNonces) {
  Pebble pebble({.nonce_reject_percent = 30});
  set_log_sink([](const std::string&) {});
  acme::AcmeSettings settings;
  settings.directory = pebble.directory_url();
  settings.trust = pebble.trust_file();
  settings.agree_tos = true;
  settings.http01_address = "127.0.0.1";
  settings.http01_port = pebble.http01_port();
  StateDirStore store(pebble.dir() / "state");
  acme::AcmeIssuer issuer(settings, store.root());
  for (int i = 0; i < 50; ++i) {
    CertificateRequest request;
    request.name = "n" + std::to_string(i) + ".example.test";
    request.domains = {request.name};
    request.issuer = "acme";
    EXPECT_NO_THROW(enroll_certificate(store, request, issuer, nullptr, std::time(nullptr))) << i;
  }
  set_log_sink(nullptr);
  EXPECT_EQ(store.load_all().size(), 50u);
}

TEST_F(AcmePebble, EnrollsThroughDns01WithAHookFeedingChalltestsrv) {
  Pebble pebble;
  auto hook = pebble.dir() / "dns-hook";
  testing::write_text(
      hook,
      "#!/bin/sh\n"
      "# usage: dns-hook add|del FQDN VALUE\n"
      "case \"$1\" in\n"
      "  add) exec curl -sf -d \"{\\\"host\\\":\\\"$2\\\",\\\"value\\\":\\\"$3\\\"}\" " +
          pebble.challtestsrv_url() +
          "/set-txt ;;\n"
          "  del) exec curl -sf -d \"{\\\"host\\\":\\\"$2\\\"}\" " +
          pebble.challtestsrv_url() +
          "/clear-txt ;;\n"
          "esac\nexit 2\n");
  ::chmod(hook.c_str(), 0755);
  std::string state = (pebble.dir() / "state").string();
  ProcessResult r =
      xmppcert({"enroll", "dns.example.test", "--state-dir", state, "--issuer", "acme",
                "--acme-directory", pebble.directory_url(), "--acme-trust", pebble.trust_file(),
                "--acme-agree-tos", "--dns01-hook", hook.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// An ACME run takes seconds: each step says so on stderr as it starts (issue 17, finding 11);
// -q keeps them out.
TEST_F(AcmePebble, EachAcmeStepPrintsAProgressLineThatQuietHides) {
  Pebble pebble;
  std::string state = (pebble.dir() / "state").string();
  std::vector<std::string> args{"enroll", "progress.example.test", "--state-dir", state};
  for (auto& flag : acme_flags(pebble)) args.push_back(flag);
  ProcessResult r = xmppcert(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t previous = 0;
  for (const char* step : {"progress.example.test: ACME account https://",
                           "progress.example.test: ACME order https://",
                           "progress.example.test: ACME challenges: answering with the http-01",
                           "progress.example.test: ACME finalize: names validated"}) {
    size_t at = r.err.find(step);
    EXPECT_NE(at, std::string::npos) << step << "\n" << r.err;
    EXPECT_GE(at, previous) << step << " out of order:\n" << r.err;
    if (at != std::string::npos) previous = at;
  }
  args.push_back("--force");
  args.push_back("-q");
  ProcessResult quiet = xmppcert(args);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("ACME "), std::string::npos) << quiet.err;
}

TEST_F(AcmePebble, PebbleGoneKeepsThePreviousCertificateAndExitsOneWithTheUrl) {
  Pebble pebble;
  std::string state = (pebble.dir() / "state").string();
  std::vector<std::string> args{"enroll", "gone.example.test", "--state-dir", state};
  for (auto& flag : acme_flags(pebble)) args.push_back(flag);
  ASSERT_EQ(xmppcert(args).exit_code, 0);
  pebble.stop_pebble();
  ProcessResult r = xmppcert({"renew", "--force", "--state-dir", state});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("localhost"), std::string::npos) << r.err;
  auto status = nlohmann::json::parse(xmppcert({"status", "--json", "--state-dir", state}).out);
  EXPECT_EQ(status[0]["version"], 1);
  EXPECT_FALSE(status[0]["last_attempt"]["ok"].get<bool>());
}

TEST_F(AcmePebble, RevokedCertificateIsReplacedByTheNextRenew) {
  Pebble pebble;
  std::string state = (pebble.dir() / "state").string();
  std::vector<std::string> args{"enroll", "revoke.example.test", "--state-dir", state};
  for (auto& flag : acme_flags(pebble)) args.push_back(flag);
  ASSERT_EQ(xmppcert(args).exit_code, 0);
  ProcessResult revoked = xmppcert(
      {"revoke", "revoke.example.test", "--reason", "keyCompromise", "--state-dir", state});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  ProcessResult again =
      xmppcert({"revoke", "revoke.example.test", "--with-certificate-key", "--state-dir", state});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("alreadyRevoked"), std::string::npos) << again.err;
  ProcessResult renewed = xmppcert({"renew", "--state-dir", state});
  EXPECT_EQ(renewed.exit_code, 0) << renewed.err;
  EXPECT_NE(renewed.out.find("issued v2"), std::string::npos) << renewed.out;
  ProcessResult by_key =
      xmppcert({"revoke", "revoke.example.test", "--with-certificate-key", "--state-dir", state});
  EXPECT_EQ(by_key.exit_code, 0) << by_key.err;
}

TEST_F(AcmePebble, AccountKeyRollsOverAndTheAccountCanBeDeactivated) {
  Pebble pebble;
  std::string state = (pebble.dir() / "state").string();
  std::vector<std::string> args{"enroll", "account.example.test", "--state-dir", state};
  for (auto& flag : acme_flags(pebble)) args.push_back(flag);
  ASSERT_EQ(xmppcert(args).exit_code, 0);
  ProcessResult rolled =
      xmppcert({"account", "rollover", "account.example.test", "--state-dir", state});
  ASSERT_EQ(rolled.exit_code, 0) << rolled.err;
  // Issuance goes on after the rollover, signed with the new key.
  ProcessResult renewed = xmppcert({"renew", "--force", "--state-dir", state});
  EXPECT_EQ(renewed.exit_code, 0) << renewed.err;
  ProcessResult deactivated =
      xmppcert({"account", "deactivate", "account.example.test", "--state-dir", state});
  EXPECT_EQ(deactivated.exit_code, 0) << deactivated.err;
}

// How many newAccount requests pebble has served (it logs each request's path).
size_t account_lookups(const Pebble& pebble) {
  std::string log = read_file(pebble.dir() / "pebble.log");
  size_t count = 0;
  for (size_t at = log.find("POST /sign-me-up"); at != std::string::npos;
       at = log.find("POST /sign-me-up", at + 1))
    ++count;
  return count;
}

TEST_F(AcmePebble, TheRecordedAccountIsUsedWithoutALookupAndLookedUpAgainWhenTheCaForgotIt) {
  Pebble pebble;
  std::string state = (pebble.dir() / "state").string();
  auto enroll = [&](const std::string& name) {
    std::vector<std::string> args{"enroll", name, "--state-dir", state};
    for (auto& flag : acme_flags(pebble)) args.push_back(flag);
    return xmppcert(args);
  };
  ASSERT_EQ(enroll("first.example.test").exit_code, 0);
  const size_t lookups = account_lookups(pebble);
  ASSERT_GE(lookups, 1u);
  ASSERT_EQ(enroll("second.example.test").exit_code, 0);
  EXPECT_EQ(account_lookups(pebble), lookups) << "a second run asked for the account again";

  // The CA no longer knows the recorded account URL (as after a CA lost its state).
  auto record_path = acme::account_dir_for(state, pebble.directory_url()) / "account.json";
  std::string record = read_file(record_path);
  std::string url = nlohmann::json::parse(record).at("url");
  std::string forgotten = record;
  forgotten.replace(forgotten.find(url), url.size(), url + "0forgotten");
  write_file_atomically(record_path, forgotten, with_mode(0600));
  ProcessResult third = enroll("third.example.test");
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.err.find("looking the account up again"), std::string::npos) << third.err;
  EXPECT_EQ(account_lookups(pebble), lookups + 1);
  EXPECT_EQ(read_file(record_path), record);
}

TEST_F(AcmePebble, PebbleStoppedMidOrderKeepsThePreviousCertificate) {
  Pebble pebble;
  std::string state = (pebble.dir() / "state").string();
  std::vector<std::string> args{"enroll", "midorder.example.test", "--state-dir", state};
  for (auto& flag : acme_flags(pebble)) args.push_back(flag);
  ASSERT_EQ(xmppcert(args).exit_code, 0);
  std::string before =
      read_file(pebble.dir() / "state" / "certs" / "midorder.example.test" / "v1" / "cert.pem");
  // The dns-01 hook runs after the order and its authorization exist: it stops pebble there.
  auto hook = pebble.dir() / "kill-pebble-hook";
  testing::write_text(hook, "#!/bin/sh\n[ \"$1\" = add ] && kill -KILL " +
                                std::to_string(pebble.pebble_pid()) + "\nexit 0\n");
  ::chmod(hook.c_str(), 0755);
  ProcessResult r =
      xmppcert({"enroll", "midorder.example.test", "--force", "--state-dir", state, "--issuer",
                "acme", "--acme-directory", pebble.directory_url(), "--acme-trust",
                pebble.trust_file(), "--acme-agree-tos", "--dns01-hook", hook.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(pebble.directory_url().substr(0, pebble.directory_url().size() - 4)),
            std::string::npos)
      << r.err;
  // Besides the progress lines of the steps it reached (account, order, challenges).
  std::regex progress(R"(\n[^\n]*: ACME (account|order|challenges)[^\n]*)");
  std::string err = std::regex_replace("\n" + r.err, progress, "").substr(1);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 2)
      << "one issuing line, one error line: " << r.err;
  // The nonce request inside a POST is retried once, not once per retry of the POST.
  EXPECT_NE(r.err.find("(after 3 attempts)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("attempts) (after"), std::string::npos) << r.err;
  auto status = nlohmann::json::parse(xmppcert({"status", "--json", "--state-dir", state}).out);
  EXPECT_EQ(status[0]["version"], 1);
  EXPECT_EQ(
      read_file(pebble.dir() / "state" / "certs" / "midorder.example.test" / "v1" / "cert.pem"),
      before);
}

TEST_F(AcmePebble, PreferredChainIsPickedAmongTheAlternates) {
  Pebble pebble({.alternate_roots = 1});
  HttpOptions options;
  options.ca_file = pebble.trust_file();
  CurlHttpClient http(options);
  X509Ptr alternate_root = parse_certificate(http.get(pebble.root_url(1)).body, "pebble root 1");
  char cn[256] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(alternate_root.get()), NID_commonName, cn,
                            sizeof cn);
  std::string state = (pebble.dir() / "state").string();
  std::vector<std::string> args{"enroll", "chain.example.test",     "--state-dir",
                                state,    "--acme-preferred-chain", cn};
  for (auto& flag : acme_flags(pebble)) args.push_back(flag);
  ProcessResult r = xmppcert(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto chain = parse_certificate_chain(
      read_file(pebble.dir() / "state" / "certs" / "chain.example.test" / "v1" / "chain.pem"),
      "chain");
  char top_issuer[256] = "";
  X509_NAME_get_text_by_NID(X509_get_issuer_name(chain.back().get()), NID_commonName, top_issuer,
                            sizeof top_issuer);
  EXPECT_STREQ(top_issuer, cn);
}

TEST_F(AcmePebble, EnrollsThroughDns01ByRfc2136DynamicUpdate) {
  if (!testing::BindServer::available() || ::access("/usr/bin/nsupdate", X_OK) != 0)
    GTEST_SKIP() << "bind9 and bind9-dnsutils are not installed";
  // Every other name resolves to loopback, where the test's responders listen.
  testing::BindServer bind({.records = "* IN A 127.0.0.1\n", .allow_update = true});
  Pebble pebble({.dns_port = bind.port()});
  std::string state = (pebble.dir() / "state").string();
  ProcessResult r =
      xmppcert({"enroll", "rfc2136.example.test", "--component", "conference", "--state-dir", state,
                "--issuer", "acme", "--acme-directory", pebble.directory_url(), "--acme-trust",
                pebble.trust_file(), "--acme-agree-tos", "--dns01-rfc2136",
                "127.0.0.1:" + std::to_string(bind.port())});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ProcessResult txt =
      testing::run_process({"dig", "+short", "-p", std::to_string(bind.port()), "@127.0.0.1",
                            "_acme-challenge.rfc2136.example.test", "TXT"});
  EXPECT_EQ(txt.out, "") << "the challenge record is removed afterwards";
}

class AcmePebbleFaults : public AcmePebble,
                         public ::testing::WithParamInterface<std::pair<Fault, const char*>> {};

TEST_P(AcmePebbleFaults, FaultAfterTheOrderKeepsThePreviousCertificateWithAClearError) {
  Pebble pebble;
  std::string upstream = pebble.directory_url().substr(0, pebble.directory_url().size() - 4);
  FaultProxy proxy(upstream, pebble.trust_file(), (pebble.dir() / "pebble.crt").string(),
                   (pebble.dir() / "pebble.key").string());
  std::string state = (pebble.dir() / "state").string();
  std::vector<std::string> args{"enroll", "fault.example.test", "--state-dir", state};
  for (auto& flag : acme_flags(pebble)) args.push_back(flag);
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i] == "--acme-directory") args[i + 1] = proxy.base_url() + "/dir";
  ProcessResult first = xmppcert(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto v1 = pebble.dir() / "state" / "certs" / "fault.example.test" / "v1" / "cert.pem";
  std::string before = read_file(v1);

  auto [fault, path_part] = GetParam();
  proxy.set_foreign_certificate(before);  // a real certificate, but for the previous key
  proxy.set_fault(fault, path_part);
  ProcessResult r = xmppcert({"renew", "--force", "--state-dir", state});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  std::string error_line = r.err.substr(r.err.rfind("xmppcert: "));
  EXPECT_EQ(std::count(error_line.begin(), error_line.end(), '\n'), 1) << r.err;
  EXPECT_NE(error_line.find(fault == Fault::kForeignCertificate ? "not ours" : proxy.base_url()),
            std::string::npos)
      << r.err;
  auto status = nlohmann::json::parse(xmppcert({"status", "--json", "--state-dir", state}).out);
  EXPECT_EQ(status[0]["version"], 1);
  EXPECT_EQ(read_file(v1), before);
}

INSTANTIATE_TEST_SUITE_P(Proxy, AcmePebbleFaults,
                         ::testing::Values(std::make_pair(Fault::kServerError, "/finalize-order/"),
                                           std::make_pair(Fault::kDrop, "/finalize-order/"),
                                           std::make_pair(Fault::kForeignCertificate, "/certZ/")));

TEST_F(AcmePebble, FoundationPresetTakesItsDirectoryFromTheConfig) {
  Pebble pebble;
  auto config = pebble.dir() / "xmppcert.json";
  testing::write_text(config, R"({
    "state_dir": ")" + (pebble.dir() / "state").string() +
                                  R"(",
    "defaults": { "issuer": "foundation",
                  "acme": { "directory": ")" +
                                  pebble.directory_url() + R"(", "trust": ")" +
                                  pebble.trust_file() + R"(", "agree_tos": true,
                            "http01_address": "127.0.0.1", "http01_port": )" +
                                  std::to_string(pebble.http01_port()) + R"( } },
    "certificates": { "a.example.test": {}, "b.example.test": { "components": ["conference"] } }
  })");
  ProcessResult r = xmppcert({"enroll", "--config", config.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto status =
      nlohmann::json::parse(xmppcert({"status", "--json", "--config", config.string()}).out);
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0]["issuer"], "foundation");
  EXPECT_EQ(status[1]["identities"]["dns"].size(), 2u);
}

TEST_F(AcmePebble, EnrollsThroughTlsAlpn01WithTheBuiltInResponder) {
  Pebble pebble;
  ProcessResult r =
      xmppcert({"enroll", "alpn.example.test", "--component", "upload", "--state-dir",
                (pebble.dir() / "state").string(), "--issuer", "acme", "--acme-directory",
                pebble.directory_url(), "--acme-trust", pebble.trust_file(), "--acme-agree-tos",
                "--tls-alpn01-address", "127.0.0.1", "--tls-alpn01-port",
                std::to_string(pebble.tls_alpn01_port())});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(AcmePebble, ExternalAccountBindingOpensAnAccountWherePebbleRequiresIt) {
  const std::string hmac = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
  Pebble pebble({.eab_kid = "kid-1", .eab_hmac = hmac});
  std::string state = (pebble.dir() / "state").string();
  std::vector<std::string> args{"enroll", "eab.example.test", "--state-dir", state};
  for (auto& flag : acme_flags(pebble)) args.push_back(flag);
  ProcessResult without = xmppcert(args);
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_NE(without.err.find("externalAccountRequired"), std::string::npos) << without.err;
  // Issue 12 #14: the secret in argv is readable by every local user in /proc/PID/cmdline.
  std::vector<std::string> in_argv = args;
  in_argv.insert(in_argv.end(), {"--acme-eab-kid", "kid-1", "--acme-eab-hmac", hmac});
  ProcessResult refused = xmppcert(in_argv);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--acme-eab-hmac-file"), std::string::npos) << refused.err;
  write_file_atomically(pebble.dir() / "eab.key", hmac + "\n", with_mode(0600));
  args.insert(args.end(), {"--acme-eab-kid", "kid-1", "--acme-eab-hmac-file",
                           (pebble.dir() / "eab.key").string()});
  ProcessResult with = xmppcert(args);
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(with.err.find(hmac), std::string::npos);
  std::string record =
      read_file(pebble.dir() / "state" / "certs" / "eab.example.test" / "record.json");
  EXPECT_EQ(record.find(hmac), std::string::npos) << "the EAB secret is never stored";
}

TEST_F(AcmePebble, MissingTermsAgreementIsAClearError) {
  Pebble pebble;
  ProcessResult r = xmppcert(
      {"enroll", "tos.example.test", "--state-dir", (pebble.dir() / "state").string(), "--issuer",
       "acme", "--acme-directory", pebble.directory_url(), "--acme-trust", pebble.trust_file(),
       "--http01-address", "127.0.0.1", "--http01-port", std::to_string(pebble.http01_port())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--acme-agree-tos"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace xmppcert
