// DANE end to end, in the test's own network namespace: BIND serves the DNSSEC-signed zone
// xmpp.example and takes TSIG-signed updates; unbound, validating with the zone's trust
// anchor, answers on 127.0.0.1:53. ejabberd serves b.xmpp.example with a certificate from a
// local CA that prosody (a.xmpp.example, use_dane, s2s_secure_auth, lua-unbound) does not
// trust: prosody accepts b only because b's TLSA record, published by xmppcert's rollover,
// matches. Three renewals with key changes later prosody still delivers; a wrong TLSA record
// makes it refuse b. POSH documents are fetched over HTTPS after each renewal.
//
// Why xmpp.example and not example.test: libunbound answers "test." itself (RFC 6761
// default local zone) and lua-unbound 1.0 offers no option to turn that off, so prosody could
// not resolve example.test at all. ".example" is as reserved (RFC 2606) and not a default.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "dane/dane.h"
#include "dane/dane_check.h"
#include "dane/dane_state.h"
#include "dane/posh.h"
#include "engine/certificate.h"
#include "engine/dns_update.h"
#include "engine/fs.h"
#include "engine/store.h"
#include "tests/federation/test_namespace.h"
#include "tests/integration/bind_server.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/https_file_server.h"
#include "tests/integration/pebble_fixture.h"
#include "tests/integration/unbound_resolver.h"
#include "tests/integration/xmpp_servers.h"
#include "tests/integration/xmpp_test_client.h"

namespace xmppcert::testing {
namespace {

using std::chrono::seconds;

std::string g_namespace_problem = "not set up";
const std::string kSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";
const std::string kZone = "xmpp.example";
const std::string kA = "a.xmpp.example", kB = "b.xmpp.example";
constexpr int kTtl = 2;

class DaneFederation : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!g_namespace_problem.empty()) GTEST_SKIP() << g_namespace_problem;
    if (!ProsodyServer::available() || !EjabberdServer::available() || !BindServer::available() ||
        !UnboundResolver::available() || ::access("/usr/bin/nsupdate", X_OK) != 0 ||
        !lua_unbound_installed())
      GTEST_SKIP() << "needs prosody, ejabberd, bind9, bind9-dnsutils, unbound, lua-unbound";
    bind = std::make_unique<BindServer>(BindOptions{
        .records = "a IN A 127.0.0.2\n_xmpp-server._tcp.a IN SRV 0 0 5269 a.xmpp.example.\n"
                   "b IN A 127.0.0.3\n_xmpp-server._tcp.b IN SRV 0 0 5269 b.xmpp.example.\n",
        .tsig_secret = kSecret,
        .zone = kZone,
        .dnssec = true});
    unbound = std::make_unique<UnboundResolver>(UnboundOptions{
        .zone = kZone, .zone_server_port = bind->port(), .trust_anchor = bind->trust_anchor()});
    // lua-unbound validates by itself (it ignores the AD bit): it gets the anchor too.
    a = std::make_unique<ProsodyServer>(
        kA,
        "use_dane = true\ns2s_secure_auth = true\ns2s_require_encryption = true\n"
        "unbound = { resolvconf = false; hoststxt = false; forward = \"127.0.0.1@53\"; "
        "trustfile = \"" +
            unbound->trust_anchor_file().string() + "\" }\n",
        "127.0.0.2");
    b = std::make_unique<EjabberdServer>(kB, "s2s_use_starttls: required\n", "127.0.0.3");
    posh_server = std::make_unique<HttpsFileServer>(dir / "webroot");
    write_text(dir / "tsig.key", tsig_key_text(kSecret));
    ::chmod((dir / "tsig.key").c_str(), 0600);
    state = (dir / "state").string();
    std::string root = (dir / "root.pem").string();
    write_text(root, run_xmppcert({"ca", "init", "--state-dir", state}).out);
    // a gets a certificate from the local CA but not its root: b is trusted by DANE alone.
    // b trusts the root, so a authenticates to b with SASL EXTERNAL.
    nlohmann::json a_install = a->install_settings();
    a_install["edit_config"] = true;
    nlohmann::json b_install = b->install_settings();
    b_install["trust_anchor"] = root;
    b_install["edit_config"] = true;
    nlohmann::json dane = {{"publish", "rfc2136"}, {"ports", {5269}},
                           {"ttl", kTtl},          {"server", "127.0.0.1"},
                           {"port", bind->port()}, {"key_file", (dir / "tsig.key").string()},
                           {"zone", kZone}};
    nlohmann::json posh = {{"dir", (dir / "webroot" / ".well-known" / "posh").string()}};
    nlohmann::json config = {{"state_dir", state},
                             {"certificates",
                              {{kA, {{"install", a_install}, {"xmpp_addr", false}}},
                               {kB, {{"install", b_install}, {"dane", dane}, {"posh", posh}}}}}};
    write_file_atomically(dir / "xmppcert.json", config.dump(2), with_mode(0644));
    ProcessResult enrolled = xmppcert({"enroll"});
    ASSERT_EQ(enrolled.exit_code, 0) << enrolled.out << enrolled.err << a->log() << b->log();
    ASSERT_EQ(run_process(a->ctl({"register", "bob", kA, "secret-a"})).exit_code, 0);
    ASSERT_EQ(run_process(b->ctl({"register", "alice", kB, "secret-b"})).exit_code, 0);
  }

  static bool lua_unbound_installed() {
    return ::access("/usr/lib/x86_64-linux-gnu/lua/5.4/lunbound.so", R_OK) == 0 ||
           run_process({"lua5.4", "-e", "require 'lunbound'"}).exit_code == 0;
  }
  ProcessResult xmppcert(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back((dir / "xmppcert.json").string());
    return run_xmppcert(args);
  }
  int b_version() {
    auto record = StateDirStore(state).load(kB);
    return record ? record->current_version : 0;
  }
  X509Ptr b_certificate() {
    StateDirStore store(state);
    StoredVersion v = store.version(kB, b_version());
    return parse_certificate(read_file(v.cert_path()), v.cert_path().string());
  }
  // bob@a sends to alice@b through a fresh c2s session; true when alice gets it.
  bool delivered(const std::string& body, seconds limit = seconds(20)) {
    XmppTestClient alice("127.0.0.1", b->c2s_port(), XmppLogin{"alice@" + kB, "secret-b"});
    XmppTestClient bob("127.0.0.1", a->c2s_port(), XmppLogin{"bob@" + kA, "secret-a"});
    bob.send_chat("alice@" + kB, body);
    return alice.wait_for(body, limit);
  }
  // The TLSA query as any validating client makes it: through unbound, DNSSEC OK.
  std::string tlsa_through_resolver() {
    return run_process({"dig", "+dnssec", "-p", "53", "@127.0.0.1", "_5269._tcp." + kB, "TLSA"})
        .out;
  }
  // `xmppcert check --dane` of b's s2s port, trusting no CA of b's (the HTTPS server's cert).
  nlohmann::json check_b(int& exit_code) {
    ProcessResult r =
        run_xmppcert({"check", kB, "--s2s", "--host", "127.0.0.3", "--dane", "--json", "--trust",
                      posh_server->cert_file().string(), "--posh-url",
                      posh_server->url("/.well-known/posh/xmpp-server.json"), "--posh-ca",
                      posh_server->cert_file().string(), "--state-dir", state});
    exit_code = r.exit_code;
    if (r.out.empty()) return {{"stderr", r.err}};
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  std::string posh_fingerprint_over_https() {
    ProcessResult r = run_process({"curl", "-sSk", "--max-time", "5",
                                   posh_server->url("/.well-known/posh/xmpp-server.json")});
    if (r.exit_code != 0) return "curl failed: " + r.err;
    auto document = nlohmann::json::parse(r.out, nullptr, false);
    if (document.is_discarded() || !document.contains("fingerprints")) return "bad: " + r.out;
    return document["fingerprints"][0]["sha-256"].get<std::string>();
  }

  TempDir dir;
  std::unique_ptr<BindServer> bind;
  std::unique_ptr<UnboundResolver> unbound;
  std::unique_ptr<ProsodyServer> a;
  std::unique_ptr<EjabberdServer> b;
  std::unique_ptr<HttpsFileServer> posh_server;
  std::string state;
};

TEST_F(DaneFederation,
       ProsodyAcceptsBOnlyByItsTlsaRecordThroughThreeKeyChangesAndRefusesAWrongOne) {
  std::string answer = tlsa_through_resolver();
  EXPECT_NE(answer.find(" ad;"), std::string::npos) << "validated by unbound:\n" << answer;
  std::string served_key = spki_sha256_hex(b_certificate().get()).substr(0, 8);
  std::transform(served_key.begin(), served_key.end(), served_key.begin(), ::toupper);
  EXPECT_NE(answer.find(served_key), std::string::npos) << answer;

  ASSERT_TRUE(delivered("by-dane-0")) << a->log() << b->log();
  EXPECT_TRUE(a->logged_eventually("Enabling DANE with")) << a->log();
  EXPECT_TRUE(a->logged_eventually("certificate chain validation result: valid")) << a->log();
  EXPECT_EQ(posh_fingerprint_over_https(), certificate_sha256_base64(b_certificate().get()));
  int exit_code = -1;
  nlohmann::json checked = check_b(exit_code);
  EXPECT_EQ(exit_code, 0) << checked.dump(2);
  EXPECT_EQ(checked["verified"], false) << "no CA of b's is trusted: DANE stands in";
  EXPECT_EQ(checked["dane"]["tlsa"]["authenticated"], true) << checked.dump(2);
  EXPECT_EQ(checked["dane"]["tlsa"]["matches"], true) << checked.dump(2);
  EXPECT_EQ(checked["dane"]["posh"]["matches"], true) << checked.dump(2);

  for (int round = 1; round <= 3; ++round) {
    SCOPED_TRACE("renewal " + std::to_string(round));
    std::string before = spki_sha256_hex(b_certificate().get());
    // Real time by design: the validating unbound caches for kTtl and the rollover rule counts
    // 2 x TTL since the next key's record was seen; both are real daemons' clocks.
    std::this_thread::sleep_for(std::chrono::milliseconds(2 * kTtl * 1000 + 1200));
    auto started = std::chrono::steady_clock::now();
    ProcessResult renewed = xmppcert({"renew", kB, "--force"});
    ASSERT_EQ(renewed.exit_code, 0) << renewed.out << renewed.err;
    ASSERT_EQ(b_version(), round + 1) << renewed.out;
    EXPECT_NE(spki_sha256_hex(b_certificate().get()), before) << "a new key";
    // Straight after a switch the new next key's record is not 2 x TTL old: no switch. On a
    // loaded machine the renewal itself (reload, STARTTLS checks) can outlast 2 x TTL after
    // the new next key was first seen in DNS; a switch is then right, and there is nothing
    // to show here.
    auto dane = dane_state_of(*StateDirStore(state).load(kB));
    std::time_t seen = dane ? dane->next_visible_since : 0;
    if (round == 1 && (seen == 0 || std::time(nullptr) - seen < 2 * kTtl - 1)) {
      ProcessResult early = xmppcert({"renew", kB, "--force"});
      EXPECT_EQ(early.exit_code, 0) << early.err;
      EXPECT_EQ(b_version(), 2) << early.out;
      ProcessResult why = xmppcert({"status", kB});
      EXPECT_NE(why.out.find("waiting to switch keys"), std::string::npos) << why.out;
    }
    a->restart();  // a's s2s link to b is gone; the next one checks b's new certificate
    std::string body = "by-dane-" + std::to_string(round);
    EXPECT_TRUE(delivered(body)) << a->log() << b->log();
    auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::cout << "renewal " << round << ": renewed, a restarted, delivered in " << gap.count()
              << " ms\n";
    EXPECT_EQ(posh_fingerprint_over_https(), certificate_sha256_base64(b_certificate().get()));
    auto status = nlohmann::json::parse(xmppcert({"status", kB, "--json"}).out);
    EXPECT_EQ(status["posh"]["documents"], "current") << status.dump(2);
  }

  // A record that matches no key b has: prosody refuses b.
  send_dns_update({"127.0.0.1", bind->port(), (dir / "tsig.key").string(), kZone},
                  {"update delete _5269._tcp." + kB + ". TLSA",
                   "update add _5269._tcp." + kB + ". " + std::to_string(kTtl) + " TLSA 3 1 1 " +
                       std::string(64, '0')});
  // The wrong record must outlive the validating unbound's cache (kTtl, its own clock).
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * kTtl * 1000 + 1200));
  a->restart();
  EXPECT_FALSE(delivered("refused", seconds(8)));
  EXPECT_TRUE(a->logged_eventually("certificate chain validation result: invalid")) << a->log();
  checked = check_b(exit_code);
  EXPECT_EQ(exit_code, 1) << checked.dump(2);
  EXPECT_EQ(checked["dane"]["tlsa"]["matches"], false) << checked.dump(2);
}

// BIND refuses the update (a TSIG key it does not know): the renewal fails with exit 1, the
// current key and every record stay, and prosody keeps accepting b.
TEST_F(DaneFederation, ARefusedTsigKeyFailsWithExitOneAndKeepsTheCurrentKeyTrusted) {
  // Past 2 x TTL of the next key's record, as seen through the real unbound (its clock).
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * kTtl * 1000 + 1200));
  ASSERT_EQ(xmppcert({"renew", kB, "--force"}).exit_code, 0);
  ASSERT_EQ(b_version(), 2);
  std::string served = spki_sha256_hex(b_certificate().get());
  auto records = [&] { return parse_dig_tlsa_answer(tlsa_through_resolver()).spki_hashes; };
  auto before = records();
  ASSERT_EQ(before.size(), 3u) << "current, next and the retired key";

  write_text(dir / "tsig.key", tsig_key_text("d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3JvbmctMTI="));
  // Again past 2 x TTL (real unbound cache), so that the renewal would switch keys.
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * kTtl * 1000 + 1200));
  ProcessResult refused = xmppcert({"renew", kB, "--force"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("RFC 2136 update at 127.0.0.1"), std::string::npos) << refused.err;
  EXPECT_EQ(b_version(), 2) << "the current key stays in use";
  EXPECT_EQ(spki_sha256_hex(b_certificate().get()), served);
  auto after = records();
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(after, before) << "nothing removed from DNS";
  a->restart();
  EXPECT_TRUE(delivered("still-by-dane")) << a->log();
}

}  // namespace
}  // namespace xmppcert::testing

int main(int argc, char** argv) {
  return xmppcert::testing::run_federation_tests(argc, argv,
                                                 xmppcert::testing::g_namespace_problem);
}
