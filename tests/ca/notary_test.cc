// Multi-perspective validation on loopback (issue 27): the CA and three notaries
// (`xmppcert-ca notary serve`), each resolving through a BIND of its own. A domain's "real"
// host is 127.0.0.1; a hijacker answers on 127.0.0.2, the address a poisoned resolver gives.
// The CA issues only when its own validation and the quorum of notaries agree. The same in
// network namespaces, one host per perspective: tests/federation/notary_federation_test.cc.
// Backend: SQLite, but for PerspectivesAreStoredWithTheAuthorizationOnPostgreSqlToo: the
// quorum is decided before anything is stored; what is stored (the perspectives in the
// authorization document) is checked on PostgreSQL by that test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "ca/ca_keys.h"
#include "ca/notary/notary_protocol.h"
#include "ca/wfe/jws_verify.h"
#include "engine/http.h"
#include "jose/jws.h"
#include "tests/ca/ca_fixture.h"
#include "tests/ca/notary_fixture.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert {
namespace {

using nlohmann::json;
using testing::BindServer;
using testing::FoundationCa;
using testing::Notary;
using testing::ProcessResult;
using testing::TempDir;

constexpr size_t npos = std::string::npos;
const std::string kDomain = "xmpp.example.test";

class Notaries : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    honest_dns =
        std::make_unique<BindServer>(testing::BindOptions{.records = "* IN A 127.0.0.1\n"});
  }

  // `count` notaries, then the CA (its resolver answering `ca_sees` for every name), then the
  // notaries serve, resolving through the honest BIND unless `poisoned` names them.
  void start(size_t count, const std::string& ca_sees, json more = json::object(),
             std::vector<size_t> poisoned = {}) {
    for (size_t i = 0; i < count; ++i) notaries.push_back(std::make_unique<Notary>());
    std::vector<const Notary*> listed;
    for (const auto& notary : notaries) listed.push_back(notary.get());
    json config = json::parse(testing::notaries_config(listed, more));
    for (const auto& entry : extra_entries) config["notaries"].push_back(entry);
    ca = std::make_unique<FoundationCa>(
        testing::FoundationCaOptions{.backend = backend,
                                     .bind_records = "* IN A " + ca_sees + "\n",
                                     .config_json = config.dump()});
    for (size_t i = 0; i < notaries.size(); ++i) {
      bool sees_poison = std::find(poisoned.begin(), poisoned.end(), i) != poisoned.end();
      notaries[i]->serve(
          {.ca_root = ca->root_file(),
           .resolver =
               "127.0.0.1:" + std::to_string(sees_poison ? ca->dns_port() : honest_dns->port()),
           .http01_port = ca->http01_port()});
    }
  }

  // `xmppcert enroll` of `domain`, answering http-01 on `address`.
  ProcessResult enroll(const std::string& address, const std::string& domain = kDomain) {
    auto state = std::make_unique<TempDir>();
    ProcessResult r = testing::run_xmppcert(
        {"enroll", domain, "--state-dir", state->path().string(), "--issuer", "foundation",
         "--acme-directory", ca->directory_url(), "--acme-trust", ca->root_file(),
         "--acme-agree-tos", "--http01-address", address, "--http01-port",
         std::to_string(ca->http01_port())});
    states.push_back(std::move(state));
    return r;
  }

  json list(std::vector<std::string> more) {
    std::vector<std::string> args{"list", "--state-dir", ca->state_dir(), "--json"};
    for (const auto& arg : ca->config_args()) args.push_back(arg);
    args.insert(args.end(), more.begin(), more.end());
    ProcessResult r = testing::run_xmppcert_ca(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  // The perspectives stored with the last validated challenge of `domain`.
  json perspectives(const std::string& domain = kDomain) {
    json rows = list({"--authorizations", "--domain", domain});
    return rows.is_array() && !rows.empty() ? rows.back()["perspectives"] : json();
  }

  std::string logs() const {
    std::string out = "CA log:\n" + ca->log();
    for (const auto& notary : notaries) out += "notary " + notary->url() + ":\n" + notary->log();
    return out;
  }

  testing::Backend backend = testing::Backend::kSqlite;
  std::unique_ptr<BindServer> honest_dns;
  std::vector<json> extra_entries;  // config entries of notaries the test fakes
  std::vector<std::unique_ptr<Notary>> notaries;
  std::unique_ptr<FoundationCa> ca;
  std::vector<std::unique_ptr<TempDir>> states;
};

TEST_F(Notaries, EveryNotaryValidatesAndTheAuthorizationStoresEachPerspective) {
  start(3, "127.0.0.1");
  ProcessResult r = enroll("127.0.0.1");
  ASSERT_EQ(r.exit_code, 0) << r.err << logs();
  for (const auto& notary : notaries)
    EXPECT_NE(notary->log().find("validated http-01 of " + kDomain), npos) << notary->log();
  json seen = perspectives();
  ASSERT_TRUE(seen.is_array() && seen.size() == 4) << seen.dump(2);
  EXPECT_EQ(seen[0]["perspective"], "ca");
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(seen[i]["outcome"], "valid") << seen.dump(2);
    EXPECT_EQ(seen[i]["addresses"], json::array({"127.0.0.1"})) << seen.dump(2);
    if (i == 0) continue;
    EXPECT_EQ(seen[i]["perspective"], notaries[i - 1]->url()) << seen.dump(2);
    EXPECT_TRUE(seen[i].contains("signed_answer")) << seen.dump(2);
  }
  EXPECT_NE(ca->log().find("audit: perspectives of authorization"), npos) << ca->log();
  ProcessResult metrics =
      testing::run_process({"curl", "-sS", "--fail", "--cacert", ca->root_file(),
                            "https://127.0.0.1:" + std::to_string(ca->port()) + "/metrics"});
  for (const auto& notary : notaries)
    EXPECT_NE(
        metrics.out.find("xmppcert_ca_notary_answers_total{notary=\"" + notary->url() + "\"} 1\n"),
        npos)
        << metrics.out;
}

TEST_F(Notaries, PerspectivesAreStoredWithTheAuthorizationOnPostgreSqlToo) {
  if (auto missing = testing::backend_missing(testing::Backend::kPostgres); !missing.empty())
    GTEST_SKIP() << missing;
  backend = testing::Backend::kPostgres;
  start(2, "127.0.0.1");
  ProcessResult r = enroll("127.0.0.1");
  ASSERT_EQ(r.exit_code, 0) << r.err << logs();
  json seen = perspectives();
  ASSERT_TRUE(seen.is_array() && seen.size() == 3) << seen.dump(2);
  for (const auto& one : seen) EXPECT_EQ(one["outcome"], "valid") << seen.dump(2);
}

TEST_F(Notaries, AHijackSeenOnlyFromTheCaFailsTheQuorumAndIssuesNothing) {
  start(3, "127.0.0.2");
  ProcessResult r = enroll("127.0.0.2");
  EXPECT_NE(r.exit_code, 0) << r.err << logs();
  EXPECT_NE(r.err.find("multi-perspective validation of " + kDomain + " failed: 0 of 3"), npos)
      << r.err;
  for (const auto& notary : notaries) EXPECT_NE(r.err.find(notary->url()), npos) << r.err;
  EXPECT_EQ(list({}), json::array());
  EXPECT_EQ(ca->log().find("audit: issued serial"), npos) << ca->log();
  json seen = perspectives();
  ASSERT_TRUE(seen.is_array() && seen.size() == 4) << seen.dump(2);
  EXPECT_EQ(seen[0]["outcome"], "valid") << "the CA itself was fooled\n" << seen.dump(2);
  EXPECT_EQ(seen[0]["addresses"], json::array({"127.0.0.2"})) << seen.dump(2);
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(seen[i]["outcome"], "invalid") << seen.dump(2);
    EXPECT_EQ(seen[i]["addresses"], json::array({"127.0.0.1"})) << seen.dump(2);
  }
}

TEST_F(Notaries, ANotaryThatSeesWhatTheHijackerShowsCannotMakeTheQuorumAlone) {
  start(3, "127.0.0.2", json::object(), {0});
  ProcessResult r = enroll("127.0.0.2");
  EXPECT_NE(r.exit_code, 0) << r.err << logs();
  EXPECT_NE(r.err.find("1 of 3 notaries agree with the CA, 2 must"), npos) << r.err;
  EXPECT_EQ(r.err.find(notaries[0]->url() + " saw"), npos) << r.err;
  EXPECT_EQ(list({}), json::array());
}

TEST_F(Notaries, AgreeingNotariesNeverOutweighTheCasOwnFailedValidation) {
  start(3, "127.0.0.2");  // the CA looks where nobody answers; the notaries reach the host
  ProcessResult r = enroll("127.0.0.1");
  EXPECT_NE(r.exit_code, 0) << r.err << logs();
  EXPECT_EQ(list({}), json::array());
  json seen = perspectives();
  ASSERT_TRUE(seen.is_array() && seen.size() == 4) << seen.dump(2);
  EXPECT_EQ(seen[0]["outcome"], "invalid") << seen.dump(2);
  for (size_t i = 1; i < 4; ++i) EXPECT_EQ(seen[i]["outcome"], "valid") << seen.dump(2);
}

TEST_F(Notaries, OneNotaryDownStillIssuesAndTwoDownFailNamingBoth) {
  start(3, "127.0.0.1");
  notaries[2]->stop();
  ProcessResult one_down = enroll("127.0.0.1");
  ASSERT_EQ(one_down.exit_code, 0) << one_down.err << logs();
  notaries[1]->stop();
  ProcessResult two_down = enroll("127.0.0.1", "other.example.test");
  EXPECT_NE(two_down.exit_code, 0) << two_down.err << logs();
  EXPECT_NE(two_down.err.find("1 of 3 notaries agree with the CA, 2 must"), npos) << two_down.err;
  EXPECT_NE(two_down.err.find(notaries[1]->url() + " saw"), npos) << two_down.err;
  EXPECT_NE(two_down.err.find(notaries[2]->url() + " saw"), npos) << two_down.err;
  EXPECT_EQ(two_down.err.find(notaries[0]->url() + " saw"), npos) << two_down.err;
}

TEST_F(Notaries, ANotaryThatNeverAnswersDisagreesOnceTheValidationDeadlinePasses) {
  // A listener that never accepts: the kernel completes the TCP handshake, TLS never starts.
  int silent_port = 0;
  int silent = testing::listen_on_loopback(silent_port);
  ASSERT_GE(silent, 0);
  std::string silent_url = "https://127.0.0.1:" + std::to_string(silent_port);
  extra_entries.push_back({{"url", silent_url}, {"key_sha256", std::string(64, 'a')}});
  start(2, "127.0.0.1", {{"validation_timeout", "3s"}});
  ProcessResult r = enroll("127.0.0.1");
  ::close(silent);
  ASSERT_EQ(r.exit_code, 0) << r.err << logs();
  json seen = perspectives();
  ASSERT_TRUE(seen.is_array() && seen.size() == 4) << seen.dump(2);
  EXPECT_EQ(seen[3]["perspective"], silent_url) << seen.dump(2);
  EXPECT_EQ(seen[3]["outcome"], "invalid") << seen.dump(2);
  EXPECT_NE(seen[3]["problem"]["detail"].get<std::string>().find(
                "no answer within the validation deadline"),
            npos)
      << seen.dump(2);
  // The CA gave up on it at its deadline (3 s), not later (curl's timer: a few ms over).
  EXPECT_LE(seen[3]["latency_ms"].get<long long>(), 3500) << seen.dump(2);
}

// Requests made here, as the CA makes them (ca/notary/notary_protocol.h), but tampered with.
class NotaryRequests : public Notaries {
 protected:
  void SetUp() override {
    Notaries::SetUp();
    if (IsSkipped()) return;
    start(1, "127.0.0.1");
    issuing = std::make_unique<ca::IssuingCa>(ca::load_issuing_ca(ca->state_dir()));
  }

  std::string url() const { return notaries[0]->url() + ca::notary::kValidatePath; }

  std::string signed_request(const ca::IssuingCa& signer, const std::string& id,
                             std::int64_t issued_at_ms) {
    std::int64_t deadline = issued_at_ms + 5000;
    ca::notary::NotaryRequest request{id,           kDomain, "http-01", "token", "token.thumb",
                                      issued_at_ms, deadline};
    return jose::sign_jws(signer.key.get(), std::nullopt, id, url(),
                          ca::notary::request_payload(request, signer.cert.get()).dump());
  }

  HttpResponse post(const std::string& body) {
    HttpOptions options;
    options.verify_peer = false;  // the notary's self-signed certificate: not under test here
    return CurlHttpClient(options).post(url(), body, "application/jose+json");
  }

  std::unique_ptr<ca::IssuingCa> issuing;
};

TEST_F(NotaryRequests, AreRefusedWhenSignedByAnotherCaStaleOrReplayed) {
  TempDir other_dir;
  ProcessResult made = testing::run_xmppcert_ca(
      {"init", "--state-dir", (other_dir.path() / "ca").string(), "--hostname", "127.0.0.1"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ca::IssuingCa other = ca::load_issuing_ca(other_dir.path() / "ca");
  std::int64_t now = ca::notary::unix_ms_now();

  HttpResponse foreign = post(signed_request(other, "foreign-1", now));
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_NE(foreign.body.find("does not chain to this notary's --ca-root"), npos) << foreign.body;

  HttpResponse stale = post(signed_request(*issuing, "stale-1", now - 120000));
  EXPECT_EQ(stale.status, 403) << stale.body;
  EXPECT_NE(stale.body.find("stale"), npos) << stale.body;

  std::string body = signed_request(*issuing, "replayed-1", now);
  HttpResponse first = post(body);
  EXPECT_EQ(first.status, 200) << first.body;
  HttpResponse again = post(body);
  EXPECT_EQ(again.status, 403) << again.body;
  EXPECT_NE(again.body.find("replayed request id"), npos) << again.body;

  HttpResponse unsigned_request =
      post(R"({"payload": "e30", "protected": "e30", "signature": ""})");
  EXPECT_GE(unsigned_request.status, 400) << unsigned_request.body;
  std::string log = notaries[0]->log();
  EXPECT_EQ(testing::occurrences(log, "validated http-01"), 1u) << log;
}

TEST_F(NotaryRequests, AreAnsweredInvalidForTargetsOutsideTheNotarysNetworks) {
  // A second notary, allowed only global unicast targets (no --validation-networks).
  Notary strict;
  strict.serve({.ca_root = ca->root_file(),
                .resolver = "127.0.0.1:" + std::to_string(honest_dns->port()),
                .http01_port = ca->http01_port(),
                .validation_networks = {}});
  std::string url = strict.url() + ca::notary::kValidatePath;
  std::int64_t now = ca::notary::unix_ms_now();
  ca::notary::NotaryRequest request{"networks-1",  kDomain, "http-01", "token",
                                    "token.thumb", now,     now + 5000};
  HttpOptions options;
  options.verify_peer = false;
  HttpResponse answer = CurlHttpClient(options).post(
      url,
      jose::sign_jws(issuing->key.get(), std::nullopt, request.request_id, url,
                     ca::notary::request_payload(request, issuing->cert.get()).dump()),
      "application/jose+json");
  ASSERT_EQ(answer.status, 200) << answer.body << strict.log();
  ca::ParsedJws jws = ca::parse_flattened_jws(answer.body);
  ca::notary::NotaryAnswer seen = ca::notary::parse_answer_payload(jws.payload, url);
  EXPECT_FALSE(seen.valid);
  EXPECT_EQ(seen.problem["type"], "urn:ietf:params:acme:error:rejectedIdentifier")
      << seen.problem.dump();
  EXPECT_NE(seen.problem["detail"].get<std::string>().find("not global unicast"), npos)
      << seen.problem.dump();
}

}  // namespace
}  // namespace xmppcert
