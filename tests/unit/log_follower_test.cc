// The agent's log watch (plugins/log_watch/) against a fake RFC 6962 log held in memory: a
// real Merkle tree and real signed tree heads over test certificates, which a test can make
// lie (a bad signature, a rewritten history, entries that are not the signed ones) or
// flood (answers bigger or longer than asked). No network, no daemon.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "ct/ct_codec.h"
#include "ct/merkle.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "plugins/log_watch/inclusion_check.h"
#include "plugins/log_watch/log_follower.h"
#include "plugins/log_watch/log_watch.h"
#include "plugins/log_watch/log_watch_state.h"
#include "tests/support/fake_command_runner.h"
#include "tests/unit/test_certificates.h"
#include "tests/unit/test_support.h"

namespace xmppcert::logwatch {
namespace {

using testing::issue_test_certificate;
using testing::TempDir;

PKeyPtr p256_key() { return PKeyPtr(EVP_EC_gen("P-256")); }

std::string der_of(X509* cert) {
  unsigned char* out = nullptr;
  int length = i2d_X509(cert, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(length));
  OPENSSL_free(out);
  return der;
}

std::string sign(EVP_PKEY* key, const std::string& data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t length = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  std::string signature(length, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(data.data()), data.size());
  EVP_MD_CTX_free(ctx);
  signature.resize(length);
  return signature;
}

std::map<std::string, std::string> query(const std::string& path) {
  size_t at = path.find('?');
  return at == std::string::npos ? std::map<std::string, std::string>{}
                                 : *ctlog::parse_query(path.substr(at + 1));
}

// An honest log over `leaves`, unless a test changes what it answers.
class FakeLog : public LogTransport {
 public:
  PKeyPtr key = p256_key();
  std::vector<std::string> leaves;          // leaf inputs, as served by get-entries
  std::optional<std::vector<std::string>> signed_leaves;  // the tree the STH signs, if other
  EVP_PKEY* signing_key = nullptr;          // another key than `key`
  std::function<std::optional<std::string>(const std::string&)> answer;  // overrides
  std::vector<std::string> asked;

  void add_certificate(X509* cert, uint64_t timestamp_ms = 1700000000000) {
    leaves.push_back(ctlog::x509_leaf_input(timestamp_ms, der_of(cert)));
  }

  std::string get(const std::string& path, size_t /*max_body*/) override {
    asked.push_back(path);
    if (answer)
      if (auto body = answer(path)) return *body;
    std::vector<ctlog::Hash> hashes;
    for (const auto& leaf : signed_leaves ? *signed_leaves : leaves)
      hashes.push_back(ctlog::hash_leaf(leaf));
    auto params = query(path);
    if (path == "get-sth") {
      ctlog::Hash root = ctlog::root_hash(hashes);
      uint64_t timestamp = 1700000000000 + hashes.size();
      std::string signature = ctlog::digitally_signed(
          3, sign(signing_key ? signing_key : key.get(),
                  ctlog::tree_head_signature_input(timestamp, hashes.size(), root)));
      return nlohmann::json{{"tree_size", hashes.size()},
                            {"timestamp", timestamp},
                            {"sha256_root_hash", ctlog::base64_of(root)},
                            {"tree_head_signature", base64_encode(signature)}}
          .dump();
    }
    if (path.starts_with("get-sth-consistency")) {
      uint64_t first = std::stoull(params["first"]), second = std::stoull(params["second"]);
      std::vector<ctlog::Hash> prefix(hashes.begin(), hashes.begin() + second);
      nlohmann::json proof = nlohmann::json::array();
      for (const auto& hash : ctlog::consistency_proof(first, prefix))
        proof.push_back(ctlog::base64_of(hash));
      return nlohmann::json{{"consistency", proof}}.dump();
    }
    if (path.starts_with("get-proof-by-hash")) {
      auto hash = ctlog::base64_decode(params["hash"]);
      uint64_t size = std::stoull(params["tree_size"]);
      for (uint64_t i = 0; hash && i < size && i < hashes.size(); ++i)
        if (std::string(hashes[i].begin(), hashes[i].end()) == *hash) {
          std::vector<ctlog::Hash> prefix(hashes.begin(), hashes.begin() + size);
          nlohmann::json audit = nlohmann::json::array();
          for (const auto& node : ctlog::audit_path(i, prefix))
            audit.push_back(ctlog::base64_of(node));
          if (wrong_audit_path && !audit.empty()) audit[0] = ctlog::base64_of(ctlog::hash_empty());
          return nlohmann::json{{"leaf_index", i}, {"audit_path", audit}}.dump();
        }
      throw OperationError("GET " + path + ": HTTP 400: no such leaf");
    }
    if (path.starts_with("get-entries")) {
      uint64_t start = std::stoull(params["start"]), end = std::stoull(params["end"]);
      nlohmann::json entries = nlohmann::json::array();
      for (uint64_t i = start; i <= end && i < leaves.size(); ++i)
        entries.push_back({{"leaf_input", base64_encode(leaves[i])}, {"extra_data", ""}});
      return nlohmann::json{{"entries", entries}}.dump();
    }
    return "{}";
  }

  // add-chain: the SCT of a logged certificate (its entry's timestamp), or appends it.
  std::string post(const std::string& path, const std::string& body, size_t /*max_body*/) override {
    asked.push_back(path);
    auto chain = nlohmann::json::parse(body).at("chain");
    std::string der = *ctlog::base64_decode(chain.at(0).get<std::string>());
    uint64_t timestamp = 0;
    for (const auto& leaf : leaves)
      if (auto parsed = ctlog::parse_x509_leaf_input(leaf); parsed && parsed->cert_der == der)
        timestamp = parsed->timestamp_ms;
    if (!timestamp) {
      timestamp = 1700000000000 + leaves.size();
      if (!hide_added) leaves.push_back(ctlog::x509_leaf_input(timestamp, der));
    }
    std::string signature = ctlog::digitally_signed(
        3, sign(signing_key ? signing_key : key.get(), ctlog::sct_signature_input(timestamp, der)));
    return nlohmann::json{{"sct_version", 0},
                          {"timestamp", timestamp},
                          {"signature", base64_encode(signature)}}
        .dump();
  }
  bool hide_added = false;        // add-chain answers but never logs
  bool wrong_audit_path = false;  // get-proof-by-hash answers a path that leads elsewhere
};

class LogFollower : public ::testing::Test {
 protected:
  TempDir ca_dir;
  FakeLog log;
  LogWatchState state;
  std::set<std::string> ours;  // serials the "store" holds

  X509Ptr certificate_for(const std::vector<std::string>& domains) {
    auto issued = issue_test_certificate(ca_dir.path(), domains);
    return std::move(issued.leaf);
  }
  static std::string inspect_serial(X509* cert);

  std::vector<LogAlarm> round(uint64_t max_entries = 20000) {
    LogDescription description{"https://ca.example.test:8443/", PKeyPtr()};
    EVP_PKEY_up_ref(log.key.get());
    description.key.reset(log.key.get());
    FollowRequest request{description,
                          log,
                          {"b.example.test", "conference.b.example.test"},
                          [&](X509* cert) { return ours.count(inspect_serial(cert)) > 0; },
                          1700000100,
                          max_entries};
    return follow_log("log.json", state, request);
  }
  const WatchedLog& watched() { return state.logs.at("log.json"); }
};

std::string LogFollower::inspect_serial(X509* cert) {
  ASN1_INTEGER* serial = X509_get_serialNumber(cert);
  BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

TEST_F(LogFollower, CertificateForOurNameThatWeDidNotRequestRaisesOneAlarmUntilAcknowledged) {
  auto mine = certificate_for({"b.example.test"});
  ours.insert(inspect_serial(mine.get()));
  log.add_certificate(mine.get());
  auto attackers = certificate_for({"b.example.test"});
  log.add_certificate(attackers.get(), 1700000050000);

  auto raised = round();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].kind, LogAlarm::Kind::certificate);
  EXPECT_EQ(raised[0].log_index, 1u);
  EXPECT_EQ(raised[0].logged_at, 1700000050);
  EXPECT_NE(std::find(raised[0].names.begin(), raised[0].names.end(), "b.example.test"),
            raised[0].names.end());
  EXPECT_NE(raised[0].describe().find(raised[0].serial), std::string::npos);
  EXPECT_EQ(state.open_alarms(), 1u);
  EXPECT_EQ(watched().next_index, 2u);

  EXPECT_TRUE(round().empty()) << "raised once";
  EXPECT_TRUE(state.acknowledge(raised[0].serial));
  EXPECT_EQ(state.open_alarms(), 0u);
  state.logs.clear();  // even read again from entry 0, an acknowledged serial stays quiet
  EXPECT_TRUE(round().empty());
  EXPECT_FALSE(state.acknowledge("DEADBEEF"));
}

TEST_F(LogFollower, CertificatesWeRequestedRaiseNothing) {
  for (int i = 0; i < 3; ++i) {
    auto mine = certificate_for({"b.example.test"});
    ours.insert(inspect_serial(mine.get()));
    log.add_certificate(mine.get());
    EXPECT_TRUE(round().empty());
  }
  EXPECT_EQ(watched().next_index, 3u);
  EXPECT_EQ(state.alarms.size(), 0u);
}

TEST_F(LogFollower, EntryForANameItDoesNotManageRaisesNothing) {
  log.add_certificate(certificate_for({"a.example.test"}).get());
  log.add_certificate(certificate_for({"example.test"}).get());
  log.leaves.push_back("not a leaf of any kind");
  EXPECT_TRUE(round().empty());
  EXPECT_EQ(watched().next_index, 3u);
  log.add_certificate(certificate_for({"conference.b.example.test"}).get());
  EXPECT_EQ(round().size(), 1u) << "a component of ours is ours too";
}

TEST_F(LogFollower, TreeHeadWithABadSignatureIsAnAlarmAndReadsNothing) {
  log.add_certificate(certificate_for({"b.example.test"}).get());
  PKeyPtr other = p256_key();
  log.signing_key = other.get();
  auto raised = round();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].kind, LogAlarm::Kind::log);
  EXPECT_NE(raised[0].problem.find("not signed by the log's key"), std::string::npos);
  EXPECT_EQ(state.logs.count("log.json"), 0u) << "nothing accepted";
  EXPECT_TRUE(round().empty()) << "one open alarm per log";
  EXPECT_EQ(state.open_alarms(), 1u);
}

TEST_F(LogFollower, InconsistentTreeHeadIsAnAlarm) {
  log.add_certificate(certificate_for({"a.example.test"}).get());
  log.add_certificate(certificate_for({"a.example.test"}).get());
  ASSERT_TRUE(round().empty());
  // The log rewrites entry 0 (hiding what it was) and grows: its proofs are honest for the
  // new tree, which does not extend the one seen.
  log.leaves[0] = ctlog::x509_leaf_input(1, der_of(certificate_for({"a.example.test"}).get()));
  log.add_certificate(certificate_for({"a.example.test"}).get());
  auto raised = round();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_NE(raised[0].problem.find("not consistent"), std::string::npos) << raised[0].problem;
  EXPECT_EQ(watched().tree_size, 2u) << "the verified head is kept";

  // Same size, another root: history rewritten without growing.
  state.alarms.clear();
  log.leaves.pop_back();
  EXPECT_EQ(round().at(0).problem.find("two different roots") != std::string::npos, true);

  // A tree that shrank.
  state.alarms.clear();
  log.leaves.pop_back();
  EXPECT_NE(round().at(0).problem.find("shrank"), std::string::npos);

  // After `ack log` the log is followed afresh from its current head.
  EXPECT_TRUE(state.acknowledge("log"));
  EXPECT_TRUE(round().empty());
  EXPECT_EQ(watched().tree_size, 1u);
}

TEST_F(LogFollower, EntriesThatAreNotTheSignedOnesAreAnAlarm) {
  log.add_certificate(certificate_for({"a.example.test"}).get());
  log.signed_leaves = log.leaves;
  log.leaves[0] = ctlog::x509_leaf_input(1, der_of(certificate_for({"a.example.test"}).get()));
  auto raised = round();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_NE(raised[0].problem.find("do not hash to its signed root"), std::string::npos);
  EXPECT_EQ(state.logs.count("log.json"), 0u);
}

TEST_F(LogFollower, OversizedOrOverlongAnswersAreAlarmsNotMemory) {
  log.add_certificate(certificate_for({"a.example.test"}).get());
  const std::vector<std::pair<std::string, std::function<std::optional<std::string>(const std::string&)>>>
      floods = {
          {"more than 65536", [](const std::string& path) -> std::optional<std::string> {
             if (path != "get-sth") return std::nullopt;
             return std::string(kMaxSmallAnswer + 1, ' ');
           }},
          {"entries for 1 asked", [&](const std::string& path) -> std::optional<std::string> {
             if (!path.starts_with("get-entries")) return std::nullopt;
             nlohmann::json entries = nlohmann::json::array();
             for (int i = 0; i < 2; ++i)
               entries.push_back({{"leaf_input", base64_encode(log.leaves[0])}});
             return nlohmann::json{{"entries", entries}}.dump();
           }},
          {"\"leaf_input\" larger than", [](const std::string& path) -> std::optional<std::string> {
             if (!path.starts_with("get-entries")) return std::nullopt;
             std::string huge(kMaxLeafInput + 3, 'x');
             return nlohmann::json{{"entries", {{{"leaf_input", base64_encode(huge)}}}}}.dump();
           }},
          {"no entries", [](const std::string& path) -> std::optional<std::string> {
             if (!path.starts_with("get-entries")) return std::nullopt;
             return R"({"entries": []})";
           }},
          {"not a JSON object", [](const std::string& path) -> std::optional<std::string> {
             if (path != "get-sth") return std::nullopt;
             return std::string(1000, '[');
           }},
      };
  for (const auto& [expected, answer] : floods) {
    state = {};
    log.answer = answer;
    auto raised = round();
    ASSERT_EQ(raised.size(), 1u) << expected;
    EXPECT_EQ(raised[0].kind, LogAlarm::Kind::log);
    EXPECT_NE(raised[0].problem.find(expected), std::string::npos) << raised[0].problem;
    EXPECT_EQ(state.logs.count("log.json"), 0u) << expected;
  }
  // A consistency proof longer than any tree needs.
  log.answer = nullptr;
  state = {};
  ASSERT_TRUE(round().empty());
  log.add_certificate(certificate_for({"a.example.test"}).get());
  log.answer = [](const std::string& path) -> std::optional<std::string> {
    if (!path.starts_with("get-sth-consistency")) return std::nullopt;
    return nlohmann::json{{"consistency", std::vector<std::string>(kMaxProofHashes + 1,
                                                                   std::string(44, 'A'))}}
        .dump();
  };
  auto raised = round();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_NE(raised[0].problem.find("more than"), std::string::npos) << raised[0].problem;
}

TEST_F(LogFollower, ReadsInBoundedBatchesAndAtMostMaxEntriesPerRound) {
  auto theirs = certificate_for({"a.example.test"});
  for (int i = 0; i < 600; ++i) log.add_certificate(theirs.get(), 1700000000000 + i);
  ASSERT_TRUE(round(300).empty());
  EXPECT_EQ(watched().next_index, 300u);
  ASSERT_TRUE(round(300).empty());
  EXPECT_EQ(watched().next_index, 600u);
  for (const auto& path : log.asked) {
    if (!path.starts_with("get-entries")) continue;
    auto params = query(path);
    EXPECT_LE(std::stoull(params["end"]) - std::stoull(params["start"]) + 1, kEntriesPerRequest)
        << path;
  }
  // The compact range of what was read gives the signed root: a new entry is checked too.
  log.add_certificate(certificate_for({"b.example.test"}).get());
  EXPECT_EQ(round().size(), 1u);
  EXPECT_EQ(watched().next_index, 601u);
}

TEST_F(LogFollower, WatchStateSurvivesARestart) {
  TempDir dir;
  log.add_certificate(certificate_for({"b.example.test"}).get());
  log.add_certificate(certificate_for({"a.example.test"}).get());
  log.add_certificate(certificate_for({"a.example.test"}).get());
  ASSERT_EQ(round().size(), 1u);
  save_log_watch_state(dir.path(), state);
  LogWatchState loaded = load_log_watch_state(dir.path());
  EXPECT_EQ(loaded.alarms.size(), 1u);
  EXPECT_EQ(loaded.alarms[0].serial, state.alarms[0].serial);
  EXPECT_EQ(loaded.logs.at("log.json").read_range, watched().read_range);
  EXPECT_EQ(loaded.logs.at("log.json").root, watched().root);
  state = loaded;
  log.add_certificate(certificate_for({"a.example.test"}).get());
  EXPECT_TRUE(round().empty());
  EXPECT_EQ(state.alarms.size(), 1u);
  EXPECT_EQ(watched().next_index, 4u);
}

TEST_F(LogFollower, MetricsCountOpenAlarmsUntilAcknowledged) {
  TempDir dir;
  EXPECT_NE(log_watch_metrics(dir.path()).find("xmppcert_transparency_log_open_alarms 0\n"),
            std::string::npos);
  log.add_certificate(certificate_for({"b.example.test"}).get());
  auto raised = round();
  ASSERT_EQ(raised.size(), 1u);
  save_log_watch_state(dir.path(), state);
  std::string metrics = log_watch_metrics(dir.path());
  EXPECT_NE(metrics.find("xmppcert_transparency_log_open_alarms 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("xmppcert_transparency_log_last_read_timestamp_seconds{log=\""
                         "https://ca.example.test:8443/\"} 1700000100\n"),
            std::string::npos)
      << metrics;
  ASSERT_TRUE(state.acknowledge(raised[0].serial));
  save_log_watch_state(dir.path(), state);
  EXPECT_NE(log_watch_metrics(dir.path()).find("xmppcert_transparency_log_open_alarms 0\n"),
            std::string::npos);
}

// Before a certificate of ours is installed, the issuer's log must prove it holds it.
class InclusionCheck : public LogFollower {
 protected:
  LogDescription description() {
    LogDescription out{"https://ca.example.test:8443/", PKeyPtr()};
    EVP_PKEY_up_ref(log.key.get());
    out.key.reset(log.key.get());
    return out;
  }
  InclusionCheckOptions quick{3, std::chrono::milliseconds(0)};
  size_t tree_heads_asked() const {
    return std::count(log.asked.begin(), log.asked.end(), std::string("get-sth"));
  }
};

TEST_F(InclusionCheck, CertificateTheLogHoldsIsProvenIncluded) {
  for (int i = 0; i < 5; ++i) log.add_certificate(certificate_for({"a.example.test"}).get());
  auto mine = certificate_for({"b.example.test"});
  log.add_certificate(mine.get(), 1700000077000);
  log.add_certificate(certificate_for({"a.example.test"}).get());
  auto proof = require_in_log(description(), log, mine.get(), {}, quick);
  EXPECT_EQ(proof.leaf_index, 5u);
  EXPECT_EQ(proof.tree_size, 7u);
  EXPECT_EQ(log.leaves.size(), 7u) << "a logged certificate is not appended again";
}

TEST_F(InclusionCheck, CertificateTheLogNeverIncludesIsRefusedAfterBoundedTreeHeads) {
  log.add_certificate(certificate_for({"a.example.test"}).get());
  log.hide_added = true;
  auto mine = certificate_for({"b.example.test"});
  try {
    require_in_log(description(), log, mine.get(), {}, quick);
    FAIL() << "accepted a certificate that is in no signed tree";
  } catch (const LogMisbehaved& e) {
    FAIL() << e.what();
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("is not in transparency log"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(tree_heads_asked(), 3u);
}

TEST_F(InclusionCheck, UnsignedSctOrFalseAuditPathIsTheLogMisbehaving) {
  auto mine = certificate_for({"b.example.test"});
  log.add_certificate(certificate_for({"a.example.test"}).get());
  log.add_certificate(mine.get());
  PKeyPtr other = p256_key();
  log.signing_key = other.get();
  EXPECT_THROW(require_in_log(description(), log, mine.get(), {}, quick), LogMisbehaved);
  log.signing_key = nullptr;
  log.wrong_audit_path = true;
  EXPECT_THROW(require_in_log(description(), log, mine.get(), {}, quick), LogMisbehaved);
  log.wrong_audit_path = false;
  EXPECT_NO_THROW(require_in_log(description(), log, mine.get(), {}, quick));
}

TEST(LogWatchHook, OnUnexpectedRunsWithTheAlarmInXmppcertVariables) {
  LogAlarm alarm;
  alarm.log = "https://ca.example.test:8443/";
  alarm.serial = "5EED";
  alarm.names = {"b.example.test", "conference.b.example.test"};
  alarm.logged_at = 1700000000;
  alarm.issuer = "CN=Foundation Intermediate";
  alarm.account = "https://ca.example.test:8443/acme/acct/7";
  alarm.log_index = 12;
  using Hooks = std::set<std::vector<std::string>>;
  testing::FakeCommandRunner commands;
  const std::vector<std::string> hook{"/usr/local/bin/alarm", "--page"};
  run_on_unexpected_hooks({alarm}, Hooks{hook}, commands);
  ASSERT_EQ(commands.calls().size(), 1u);
  testing::CommandCall call = commands.calls().at(0);
  EXPECT_EQ(call.argv, hook);
  for (const char* entry : {"XMPPCERT_ALARM=certificate", "XMPPCERT_SERIAL=5EED",
                            "XMPPCERT_DOMAINS=b.example.test conference.b.example.test",
                            "XMPPCERT_ISSUED=2023-11-14T22:13:20Z", "XMPPCERT_LOG_INDEX=12",
                            "XMPPCERT_ACCOUNT=https://ca.example.test:8443/acme/acct/7",
                            "XMPPCERT_LOG_URL=https://ca.example.test:8443/"})
    EXPECT_NE(std::find(call.environment.begin(), call.environment.end(), entry),
              call.environment.end())
        << entry;
  // A failing hook (a real one) is logged, not thrown: the watch goes on.
  EXPECT_NO_THROW(run_on_unexpected_hooks({alarm}, Hooks{std::vector<std::string>{"/bin/false"}}));
}

}  // namespace
}  // namespace xmppcert::logwatch
