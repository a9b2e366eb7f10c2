// The foundation CA's transparency log (ca/log/): every certificate the CA issues is in it,
// its proofs verify against its signed tree heads, its API answers the RFC's error cases
// with 400, and Debian's unmodified certspotter, given `xmppcert-ca log-list`, finds the
// certificates of the domains it watches and notices when the CA rewrites history; each on
// both storage backends (SQLite and PostgreSQL).
#include "ca/log/transparency_log.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "ct/ct_codec.h"
#include "ct/merkle.h"
#include "ct/merkle_verify.h"
#include "ca/signer.h"
#include "engine/certificate.h"
#include "engine/encoding.h"
#include "engine/fs.h"
#include "engine/openssl_ptr.h"
#include "tests/ca/ca_fixture.h"
#include "tests/ca/log_support.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert {
namespace {

using testing::Backend;
using testing::FoundationCa;
using testing::hash_from;
using testing::ProcessResult;
using testing::tree_head_signature_verifies;

// The log's tests that touch its storage run on both backends.
class TransparencyLogOn : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
      GTEST_SKIP() << missing;
    testing::FoundationCaOptions options;
    options.backend = GetParam();
    ca_ = std::make_unique<FoundationCa>(options);
  }
  std::unique_ptr<FoundationCa> ca_;
};

// GET https://127.0.0.1:PORT/ct/v1/<what>: {status, body}.
std::pair<int, nlohmann::json> ct_get(const FoundationCa& ca, const std::string& what) {
  ProcessResult r =
      testing::run_process({"curl", "-sS", "--cacert", ca.root_file(), "-w", "\n%{http_code}",
                            "https://127.0.0.1:" + std::to_string(ca.port()) + "/ct/v1/" + what});
  size_t newline = r.out.rfind('\n');
  if (r.exit_code != 0 || newline == std::string::npos) return {0, r.err};
  return {std::stoi(r.out.substr(newline + 1)),
          nlohmann::json::parse(r.out.substr(0, newline), nullptr, false)};
}

std::string url_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '+')
      out += "%2B";
    else if (c == '/')
      out += "%2F";
    else if (c == '=')
      out += "%3D";
    else
      out += c;
  }
  return out;
}

void enroll(const FoundationCa& ca, const std::string& domain) {
  testing::TempDir state;
  ProcessResult r = testing::run_xmppcert(
      {"enroll", domain, "--state-dir", state.path().string(), "--issuer", "foundation",
       "--acme-directory", ca.directory_url(), "--acme-trust", ca.root_file(), "--acme-agree-tos",
       "--http01-address", "127.0.0.1", "--http01-port", std::to_string(ca.http01_port())});
  ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
}

std::vector<ctlog::Hash> hashes_from(const nlohmann::json& list) {
  std::vector<ctlog::Hash> out;
  for (const auto& item : list) out.push_back(hash_from(item));
  return out;
}

std::string serial_of(const std::string& der) {
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  return cert ? ca::serial_hex(cert.get()) : "";
}

std::set<std::string> issued_serials(const FoundationCa& ca) {
  std::set<std::string> out;
  std::istringstream lines(ca.sql("SELECT serial FROM certificates"));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) out.insert(line);
  return out;
}

// The serial (lower-case hex, as the certificates table keeps it) of every entry 0..size-1.
std::vector<std::string> logged_serials(const FoundationCa& ca, uint64_t size) {
  std::vector<std::string> out;
  while (out.size() < size) {
    auto [status, body] = ct_get(
        ca, "get-entries?start=" + std::to_string(out.size()) + "&end=" + std::to_string(size - 1));
    if (status != 200 || body["entries"].empty()) break;
    for (const auto& entry : body["entries"]) {
      auto leaf = ctlog::parse_x509_leaf_input(
          ctlog::base64_decode(entry["leaf_input"].get<std::string>()).value_or(""));
      out.push_back(leaf ? serial_of(leaf->cert_der) : "");
    }
  }
  return out;
}

nlohmann::json log_list(const FoundationCa& ca) {
  ProcessResult r = testing::run_xmppcert_ca({"log-list", "--state-dir", ca.state_dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

TEST_P(TransparencyLogOn, EveryIssuedCertificateIsLoggedAndItsProofsVerifyAgainstSignedTreeHeads) {
  FoundationCa& ca = *ca_;
  auto [status0, empty] = ct_get(ca, "get-sth");
  ASSERT_EQ(status0, 200) << empty;
  EXPECT_EQ(empty["tree_size"], 0);
  for (const char* domain : {"a.example.test", "b.example.test", "c.example.test"})
    enroll(ca, domain);
  // No wait: the tree head is re-signed as each issuance commits.
  auto [status, sth] = ct_get(ca, "get-sth");
  ASSERT_EQ(status, 200) << sth;
  uint64_t size = sth["tree_size"];
  nlohmann::json list = log_list(ca);
  EXPECT_TRUE(tree_head_signature_verifies(list, sth)) << sth;

  // The walk from 0 to the tree size finds exactly the serials the database issued.
  std::vector<std::string> walked = logged_serials(ca, size);
  std::set<std::string> issued = issued_serials(ca);
  EXPECT_EQ(issued.size(), 3u);
  EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()), issued);
  EXPECT_EQ(walked.size(), size);

  ctlog::Hash root = hash_from(sth["sha256_root_hash"]);
  auto [entries_status, entries] = ct_get(ca, "get-entries?start=0&end=" + std::to_string(size));
  ASSERT_EQ(entries_status, 200);
  for (uint64_t i = 0; i < size; ++i) {
    std::string leaf_input =
        ctlog::base64_decode(entries["entries"][i]["leaf_input"].get<std::string>()).value();
    ctlog::Hash leaf = ctlog::hash_leaf(leaf_input);
    auto [proof_status, proof] = ct_get(ca, "get-proof-by-hash?tree_size=" + std::to_string(size) +
                                                "&hash=" + url_escape(ctlog::base64_of(leaf)));
    ASSERT_EQ(proof_status, 200) << proof;
    EXPECT_EQ(proof["leaf_index"], i);
    // The CA's addition for the members' alarms: who ordered it.
    EXPECT_TRUE(entries["entries"][i].value("xmppcert_account", "").starts_with("/acme/acct/"))
        << entries["entries"][i];
    EXPECT_TRUE(ctlog::verify_inclusion(leaf, i, size, hashes_from(proof["audit_path"]), root));
    auto [both_status, both] = ct_get(ca, "get-entry-and-proof?leaf_index=" + std::to_string(i) +
                                              "&tree_size=" + std::to_string(size));
    ASSERT_EQ(both_status, 200) << both;
    EXPECT_EQ(both["leaf_input"], entries["entries"][i]["leaf_input"]);
    EXPECT_TRUE(ctlog::verify_inclusion(leaf, i, size, hashes_from(both["audit_path"]), root));
  }
  // A consistency proof from the first entry's tree to today's.
  std::string first_input =
      ctlog::base64_decode(entries["entries"][0]["leaf_input"].get<std::string>()).value();
  auto [consistency_status, consistency] =
      ct_get(ca, "get-sth-consistency?first=1&second=" + std::to_string(size));
  ASSERT_EQ(consistency_status, 200) << consistency;
  EXPECT_TRUE(ctlog::verify_consistency(1, size, ctlog::hash_leaf(first_input), root,
                                        hashes_from(consistency["consistency"])));
  auto [roots_status, roots] = ct_get(ca, "get-roots");
  EXPECT_EQ(roots_status, 200);
  EXPECT_EQ(roots["certificates"].size(), 1u);
}

TEST_P(TransparencyLogOn, BadRangesUnknownHashesAndMalformedQueriesAre400) {
  FoundationCa& ca = *ca_;
  enroll(ca, "a.example.test");
  for (const char* bad :
       {"get-entries?start=1&end=1", "get-entries?start=0", "get-entries?start=1&end=0",
        "get-entries?start=-1&end=0", "get-entries?start=99999999999999999999&end=0",
        "get-sth-consistency?first=2&second=1", "get-sth-consistency?first=1&second=2",
        "get-proof-by-hash?tree_size=1&hash=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D",
        "get-proof-by-hash?tree_size=1&hash=notbase64", "get-proof-by-hash?tree_size=2&hash=",
        "get-entry-and-proof?leaf_index=1&tree_size=1", "get-entries?start=%zz&end=0"}) {
    auto [status, body] = ct_get(ca, bad);
    EXPECT_EQ(status, 400) << bad << ": " << body;
    EXPECT_TRUE(body.is_object() && body.contains("error_message")) << bad << ": " << body;
  }
  auto [status, body] = ct_get(ca, "get-entries?start=0&end=5");
  EXPECT_EQ(status, 200) << body;
  EXPECT_EQ(body["entries"].size(), 1u);
}

TEST_P(TransparencyLogOn, AStateDirWithoutALogKeyGetsOneAtStartUnlessTheLogHoldsEntries) {
  FoundationCa& ca = *ca_;
  auto key = std::filesystem::path(ca.state_dir()) / "log.key";
  EXPECT_EQ(testing::file_mode(key) & 0777, 0600u);
  ca.kill_hard();
  std::filesystem::remove(key);  // as a state dir made before the log was
  ca.start();
  EXPECT_NE(ca.log().find("created the transparency log's signing key"), std::string::npos)
      << ca.log();
  EXPECT_EQ(testing::file_mode(key) & 0777, 0600u);
  enroll(ca, "a.example.test");
  ca.kill_hard();
  std::filesystem::remove(key);
  std::vector<std::string> serve = {"serve", "--state-dir", ca.state_dir(), "--listen",
                                    "127.0.0.1:" + std::to_string(ca.port())};
  for (const auto& arg : ca.config_args()) serve.push_back(arg);
  ProcessResult r = testing::run_xmppcert_ca(serve);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("restore it from a backup"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(key));
}

std::pair<int, nlohmann::json> ct_post(const FoundationCa& ca, const std::string& what,
                                       const nlohmann::json& body) {
  ProcessResult r =
      testing::run_process({"curl", "-sS", "--cacert", ca.root_file(), "-w", "\n%{http_code}", "-H",
                            "Content-Type: application/json", "--data-binary", body.dump(),
                            "https://127.0.0.1:" + std::to_string(ca.port()) + "/ct/v1/" + what});
  size_t newline = r.out.rfind('\n');
  if (r.exit_code != 0 || newline == std::string::npos) return {0, r.err};
  return {std::stoi(r.out.substr(newline + 1)),
          nlohmann::json::parse(r.out.substr(0, newline), nullptr, false)};
}

TEST_P(TransparencyLogOn, AddChainAnswersTheLoggedTimestampForOurCertificatesAndRefusesOthers) {
  FoundationCa& ca = *ca_;
  enroll(ca, "a.example.test");
  auto [status, entries] = ct_get(ca, "get-entries?start=0&end=0");
  ASSERT_EQ(status, 200) << entries;
  auto leaf = ctlog::parse_x509_leaf_input(
      ctlog::base64_decode(entries["entries"][0]["leaf_input"].get<std::string>()).value());
  ASSERT_TRUE(leaf);
  auto [sct_status, sct] = ct_post(ca, "add-chain", {{"chain", {base64_encode(leaf->cert_der)}}});
  ASSERT_EQ(sct_status, 200) << sct;
  EXPECT_EQ(sct["timestamp"], leaf->timestamp_ms);
  EXPECT_EQ(sct["id"], log_list(ca)["operators"][0]["logs"][0]["log_id"]);
  EXPECT_EQ(ct_get(ca, "get-sth").second["tree_size"], 1);  // not logged twice
  // The CA's HTTPS certificate chains to the root, but the intermediate did not sign it.
  X509Ptr https = parse_certificate(read_file(ca.state_dir() + "/https.pem"), "https.pem");
  auto [other_status, other] =
      ct_post(ca, "add-chain", {{"chain", {base64_encode(ca::certificate_der(https.get()))}}});
  EXPECT_EQ(other_status, 400) << other;
  EXPECT_EQ(ct_post(ca, "add-chain", {{"chain", {"not base64"}}}).first, 400);
  EXPECT_EQ(ct_post(ca, "add-chain", {{"chain", nlohmann::json::array()}}).first, 400);
  EXPECT_EQ(ct_post(ca, "add-pre-chain", {{"chain", {base64_encode(leaf->cert_der)}}}).first, 400);
}

// The discovered_cert calls of certspotter's -script, each its environment as `env` wrote it.
std::vector<std::map<std::string, std::string>> script_calls(const std::filesystem::path& dir) {
  std::vector<std::map<std::string, std::string>> out;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    if (file.path().extension() != ".env") continue;
    std::map<std::string, std::string> env;
    std::istringstream lines(read_file(file.path()));
    for (std::string line; std::getline(lines, line);)
      if (auto eq = line.find('='); eq != std::string::npos)
        env[line.substr(0, eq)] = line.substr(eq + 1);
    if (env["EVENT"] == "discovered_cert") out.push_back(env);
  }
  return out;
}

std::string text_of(const std::filesystem::path& path) {
  return std::filesystem::exists(path) ? read_file(path) : std::string();
}

void stop(pid_t pid) {
  ::kill(-pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

// What a CA that wants to hide a certificate would do: entry 0 becomes a copy of entry
// `from`, leaf hash and all, so the tree it signs next no longer holds the original.
void rewrite_entry_zero(const FoundationCa& ca, int from) {
  std::string row = "(SELECT %s FROM ct_entries WHERE idx = " + std::to_string(from) + ")";
  auto column = [&](const char* name) {
    std::string out = row;
    out.replace(out.find("%s"), 2, name);
    return out;
  };
  ca.sql("UPDATE ct_entries SET leaf_input = " + column("leaf_input") +
         ", leaf_hash = " + column("leaf_hash") + " WHERE idx = 0");
}

TEST_P(TransparencyLogOn, CertspotterFindsTheWatchedDomainsAndNoticesARewrittenEntry) {
  if (testing::run_process({"certspotter", "-version"}).exit_code != 0)
    GTEST_SKIP() << "certspotter missing (Debian package certspotter)";
  FoundationCa& ca = *ca_;
  for (const char* domain : {"a.example.test", "b.example.test", "other.example.test"})
    enroll(ca, domain);

  testing::TempDir work;
  auto calls = work.path() / "calls";
  std::filesystem::create_directories(calls);
  ProcessResult list = testing::run_xmppcert_ca({"log-list", "--state-dir", ca.state_dir()});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  testing::write_text(work.path() / "logs.json", list.out);
  testing::write_text(work.path() / "watchlist", "a.example.test\nb.example.test\n");
  testing::write_text(work.path() / "record.sh",
                      "#!/bin/sh\nenv > \"" + calls.string() + "/$(date +%s%N)-$$.env\"\n");
  std::filesystem::permissions(work.path() / "record.sh", std::filesystem::perms::owner_all);
  std::vector<std::string> argv = {"certspotter",
                                   "-logs",
                                   (work.path() / "logs.json").string(),
                                   "-watchlist",
                                   (work.path() / "watchlist").string(),
                                   "-script",
                                   (work.path() / "record.sh").string(),
                                   "-state_dir",
                                   (work.path() / "state").string(),
                                   "-verbose"};
  // certspotter is Go: crypto/x509 trusts the CA's HTTPS root through SSL_CERT_FILE.
  std::map<std::string, std::string> env{{"SSL_CERT_FILE", ca.root_file()}};
  auto first_log = work.path() / "certspotter-1.log";
  pid_t spotter = testing::spawn_unprivileged(argv, env, first_log, "root", "root");
  bool finished = testing::eventually(
      [&] { return text_of(first_log).find("finished downloading entries") != std::string::npos; },
      std::chrono::seconds(60));
  stop(spotter);
  ASSERT_TRUE(finished) << text_of(first_log);
  auto found = script_calls(calls);
  ASSERT_EQ(found.size(), 2u) << text_of(first_log);
  std::set<std::string> watched;
  for (auto& call : found) {
    watched.insert(call["WATCH_ITEM"]);
    nlohmann::json cert = nlohmann::json::parse(read_file(call["JSON_FILENAME"]), nullptr, false);
    ASSERT_TRUE(cert.is_object()) << call["JSON_FILENAME"];
    EXPECT_EQ(cert["dns_names"], nlohmann::json::array({call["WATCH_ITEM"]})) << cert;
  }
  EXPECT_EQ(watched, (std::set<std::string>{"a.example.test", "b.example.test"}));

  // History rewritten: a.example.test's entry now holds the other certificate; the log grows.
  rewrite_entry_zero(ca, 2);
  enroll(ca, "later.example.test");
  auto second_log = work.path() / "certspotter-2.log";
  spotter = testing::spawn_unprivileged(argv, env, second_log, "root", "root");
  bool noticed = testing::eventually(
      [&] {
        return text_of(second_log).find("does not match the entries returned by the log") !=
               std::string::npos;
      },
      std::chrono::seconds(60));
  stop(spotter);
  EXPECT_TRUE(noticed) << text_of(second_log);
  EXPECT_EQ(script_calls(calls).size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Storage, TransparencyLogOn,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace xmppcert
