// The foundation CA with its keys in a PKCS#11 token (issue 26 item 1): a SoftHSM2 token of
// the test's own, `xmppcert-ca init --pkcs11-*` makes root, intermediate, log and HTTPS keys
// in it, non-extractable; the state dir then holds no private key, Debian's lego and certbot
// and our own xmppcert enroll, and the CRL and the log's tree heads verify with the public
// keys of the token's keys.
// Backend: SQLite only: the token holds the keys, not the records; where the records are
// is the same code with and without a token.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/encoding.h"
#include "engine/fs.h"
#include "engine/http.h"
#include "tests/ca/ca_fixture.h"
#include "tests/ca/interop_support.h"
#include "tests/ca/log_support.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert {
namespace {

using testing::FoundationCa;
using testing::ProcessResult;
using testing::SoftHsmToken;

class Pkcs11Token : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    if (!SoftHsmToken::available()) GTEST_SKIP() << "softhsm2 is not installed";
  }
};

// Every file under `dir` whose bytes contain `needle`.
std::vector<std::string> files_containing(const std::filesystem::path& dir,
                                          const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && read_file(entry.path()).find(needle) != std::string::npos)
      out.push_back(entry.path().string());
  return out;
}

TEST_F(Pkcs11Token, InitMakesTheKeysInTheTokenNonExtractableAndTheStateDirHoldsNoPrivateKey) {
  FoundationCa ca({.pkcs11_token = true});
  EXPECT_NE(ca.init_output().find("keys: in the PKCS#11 token \"xmppcert-test\""),
            std::string::npos)
      << ca.init_output();
  EXPECT_EQ(files_containing(ca.state_dir(), "PRIVATE KEY"), std::vector<std::string>{});
  for (const char* file : {"root.key", "intermediate.key", "https.key", "log.key"})
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(ca.state_dir()) / file)) << file;

  std::string objects = ca.token()->list_objects("privkey");
  for (const char* label :
       {"xmppcert root", "xmppcert intermediate", "xmppcert transparency log", "xmppcert https"})
    EXPECT_NE(objects.find(std::string("label:      ") + label), std::string::npos) << objects;
  EXPECT_EQ(testing::occurrences(objects, "Private Key Object; EC"), 4u) << objects;
  EXPECT_EQ(
      testing::occurrences(objects, "Access:     sensitive, always sensitive, never extractable"),
      4u)
      << objects;
  EXPECT_EQ(testing::occurrences(objects, "Usage:      sign\n"), 4u) << objects;

  // The CA serves HTTPS with the token's key: the directory answers over TLS to the root.
  CurlHttpClient http(HttpOptions{ca.root_file()});
  EXPECT_EQ(http.get(ca.directory_url()).status, 200);
}

TEST_F(Pkcs11Token, InitWithoutATokenSaysTheKeysAreFiles) {
  FoundationCa ca;
  EXPECT_NE(ca.init_output().find("keys: files in " + ca.state_dir()), std::string::npos)
      << ca.init_output();
}

TEST_F(Pkcs11Token, InitRefusesAPinFileOthersCanReadAndATokenAlreadyHoldingACa) {
  SoftHsmToken token;
  testing::TempDir dir;
  auto init = [&](const std::string& state) {
    std::vector<std::string> argv{XMPPCERT_CA_BINARY,     "init",       "--state-dir",
                                  (dir / state).string(), "--hostname", "127.0.0.1"};
    auto flags = token.init_flags();
    argv.insert(argv.end(), flags.begin(), flags.end());
    return token.run(argv);
  };
  ::chmod(token.pin_file().c_str(), 0644);
  ProcessResult readable = init("a");
  EXPECT_EQ(readable.exit_code, 1) << readable.out << readable.err;
  EXPECT_NE(readable.err.find(token.pin_file()), std::string::npos) << readable.err;
  EXPECT_NE(readable.err.find("chmod 600"), std::string::npos) << readable.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "a" / "ca.json"));
  ::chmod(token.pin_file().c_str(), 0600);
  ProcessResult first = init("b");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ProcessResult second = init("c");
  EXPECT_EQ(second.exit_code, 2) << second.out << second.err;
  EXPECT_NE(second.err.find("already holds a key labelled \"xmppcert root\""), std::string::npos)
      << second.err;
  // The PIN never shows in what init prints.
  std::string pin = read_file(token.pin_file());
  pin.pop_back();
  EXPECT_EQ((first.out + first.err + second.err).find(pin), std::string::npos);
}

TEST_F(Pkcs11Token, AMissingModuleOrTokenOrAWrongPinStopsInitAndServeNamingTheTokenAndModule) {
  SoftHsmToken token;
  testing::TempDir dir;
  const std::string module = SoftHsmToken::kModule;
  const std::string named = "token \"" + token.label() + "\" (module " + module + ")";
  auto init = [&](const std::string& state, const std::string& module_path,
                  const std::string& label, const std::string& pin_file) {
    return token.run({XMPPCERT_CA_BINARY, "init", "--state-dir", (dir / state).string(),
                      "--hostname", "127.0.0.1", "--pkcs11-module", module_path, "--pkcs11-token",
                      label, "--pkcs11-pin-file", pin_file});
  };
  auto expect_refused = [&](const ProcessResult& r, const std::string& state,
                            const std::vector<std::string>& needles) {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    for (const auto& needle : needles) EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / state / "ca.json")) << state;
  };

  ProcessResult no_module =
      init("a", "/nonexistent/libpkcs11-none.so", token.label(), token.pin_file());
  expect_refused(no_module, "a", {"load the PKCS#11 module", "/nonexistent/libpkcs11-none.so"});
  ProcessResult no_token = init("b", module, "no-such-token", token.pin_file());
  expect_refused(
      no_token, "b",
      {"token \"no-such-token\" (module " + module + ")", "no initialised token has this label"});
  const std::string wrong_pin_file = (dir / "wrong-pin").string();
  testing::write_text(wrong_pin_file, "0000-wrong\n");
  ::chmod(wrong_pin_file.c_str(), 0600);
  ProcessResult wrong_pin = init("c", module, token.label(), wrong_pin_file);
  expect_refused(wrong_pin, "c", {named, wrong_pin_file, "PIN is incorrect"});
  EXPECT_EQ(wrong_pin.err.find("0000-wrong"), std::string::npos) << wrong_pin.err;

  // A CA made with the token: serve with a wrong PIN, then with the token gone.
  ASSERT_EQ(init("d", module, token.label(), token.pin_file()).exit_code, 0);
  const std::string pin = read_file(token.pin_file());
  auto serve = [&] {  // bounded: a serve that got past the token would run until killed
    return token.run({"timeout", "60", XMPPCERT_CA_BINARY, "serve", "--state-dir",
                      (dir / "d").string(), "--listen",
                      "127.0.0.1:" + std::to_string(testing::free_port())});
  };
  testing::write_text(token.pin_file(), "0000-wrong\n");
  ::chmod(token.pin_file().c_str(), 0600);
  ProcessResult serve_wrong_pin = serve();
  EXPECT_EQ(serve_wrong_pin.exit_code, 1) << serve_wrong_pin.out << serve_wrong_pin.err;
  for (const std::string& needle : {named, std::string("login refused"), token.pin_file()})
    EXPECT_NE(serve_wrong_pin.err.find(needle), std::string::npos) << serve_wrong_pin.err;
  testing::write_text(token.pin_file(), pin);
  ::chmod(token.pin_file().c_str(), 0600);
  token.remove();
  ProcessResult serve_no_token = serve();
  EXPECT_EQ(serve_no_token.exit_code, 1) << serve_no_token.out << serve_no_token.err;
  for (const std::string& needle : {named, std::string("no initialised token has this label")})
    EXPECT_NE(serve_no_token.err.find(needle), std::string::npos) << serve_no_token.err;
}

TEST_F(Pkcs11Token, LegoObtainsAndRevokesAndTheCrlVerifiesWithTheTokensIntermediate) {
  if (!testing::installed("/usr/bin/lego")) GTEST_SKIP() << "lego is not installed";
  FoundationCa ca({.pkcs11_token = true});
  testing::lego_obtains_and_revokes(
      ca, {}, "lego.example.test",
      {"--http", "--http.port", "127.0.0.1:" + std::to_string(ca.http01_port())});
  testing::TempDir dir;
  testing::crl_text(ca, dir);  // keeps the DER in dir/ca.crl
  std::string intermediate = (std::filesystem::path(ca.state_dir()) / "intermediate.pem").string();
  ProcessResult verified =
      testing::run_process({"openssl", "crl", "-inform", "DER", "-in", (dir / "ca.crl").string(),
                            "-noout", "-CAfile", intermediate, "-verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE((verified.out + verified.err).find("verify OK"), std::string::npos)
      << verified.out << verified.err;
  // That intermediate's key is the token's: the public key pkcs11-tool reads from it.
  ProcessResult token_key =
      ca.token()->run({"pkcs11-tool", "--module", SoftHsmToken::kModule, "--token-label",
                       ca.token()->label(), "--read-object", "--type", "pubkey", "--label",
                       "xmppcert intermediate", "-o", (dir / "token.der").string()});
  ASSERT_EQ(token_key.exit_code, 0) << token_key.err;
  ProcessResult cert_key =
      testing::run_process({"openssl", "x509", "-in", intermediate, "-noout", "-pubkey"});
  ProcessResult token_pem = testing::run_process(
      {"openssl", "pkey", "-pubin", "-inform", "DER", "-in", (dir / "token.der").string()});
  EXPECT_EQ(cert_key.out, token_pem.out) << token_pem.err;
}

TEST_F(Pkcs11Token, CertbotObtainsAndRevokesFromACaWhoseKeysAreInTheToken) {
  if (!testing::installed("/usr/bin/certbot")) GTEST_SKIP() << "certbot is not installed";
  FoundationCa ca({.pkcs11_token = true});
  testing::certbot_obtains_and_revokes(ca, "certbot.example.test");
}

TEST_F(Pkcs11Token, XmppcertEnrollsAndTheTreeHeadVerifiesWithTheTokensLogKey) {
  FoundationCa ca({.pkcs11_token = true});
  testing::TempDir state;
  ProcessResult r =
      testing::run_xmppcert({"enroll", "xmpp.example.test", "--state-dir", state.path().string(),
                             "--issuer", "foundation", "--acme-directory", ca.directory_url(),
                             "--acme-trust", ca.root_file(), "--acme-agree-tos", "--http01-address",
                             "127.0.0.1", "--http01-port", std::to_string(ca.http01_port())});
  ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
  auto cert = testing::find_file(state.path(), "cert.pem");
  auto chain = testing::find_file(state.path(), "chain.pem");
  ASSERT_FALSE(cert.empty());
  ProcessResult verify = testing::run_process(
      {"openssl", "verify", "-CAfile", ca.root_file(), "-untrusted", chain, cert});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // The tree head holding it is signed with the log key the token holds, as log-list names it.
  CurlHttpClient http(HttpOptions{ca.root_file()});
  nlohmann::json sth = nlohmann::json::parse(
      http.get("https://127.0.0.1:" + std::to_string(ca.port()) + "/ct/v1/get-sth").body);
  EXPECT_GE(sth["tree_size"].get<int>(), 1) << sth;
  ProcessResult listed = ca.run_ca({"log-list", "--state-dir", ca.state_dir()});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  nlohmann::json list = nlohmann::json::parse(listed.out);
  EXPECT_TRUE(testing::tree_head_signature_verifies(list, sth)) << sth;
  ProcessResult token_key =
      ca.token()->run({"pkcs11-tool", "--module", SoftHsmToken::kModule, "--token-label",
                       ca.token()->label(), "--read-object", "--type", "pubkey", "--label",
                       "xmppcert transparency log", "-o", (state / "log.der").string()});
  ASSERT_EQ(token_key.exit_code, 0) << token_key.err;
  EXPECT_EQ(base64_encode(read_file(state / "log.der")),
            list["operators"][0]["logs"][0]["key"].get<std::string>());
}

// xmppcert-ca(8), KEYS IN A TOKEN, "to keep the root": a CA that began with key files has its
// intermediate, log and HTTPS keys imported into a token, ca.json naming it and the .key files
// moved out; serve then issues from the token under the same root, and the log goes on with
// the same key (its monitors need no new log list).
TEST_F(Pkcs11Token, FileKeysImportedIntoATokenServeUnderTheSameRootAndTheSameLog) {
  FoundationCa ca;
  const std::filesystem::path state_dir = ca.state_dir();
  testing::TempDir client;
  auto enroll = [&](const std::string& domain) {
    ProcessResult r = testing::run_xmppcert(
        {"enroll", domain, "--state-dir", (client / domain).string(), "--issuer", "foundation",
         "--acme-directory", ca.directory_url(), "--acme-trust", ca.root_file(), "--acme-agree-tos",
         "--http01-address", "127.0.0.1", "--http01-port", std::to_string(ca.http01_port())});
    EXPECT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
    auto cert = testing::find_file(client / domain, "cert.pem");
    auto chain = testing::find_file(client / domain, "chain.pem");
    ProcessResult verify = testing::run_process(
        {"openssl", "verify", "-CAfile", ca.root_file(), "-untrusted", chain, cert});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  };
  enroll("before.example.test");
  ProcessResult list_before = ca.run_ca({"log-list", "--state-dir", ca.state_dir()});
  ASSERT_EQ(list_before.exit_code, 0) << list_before.err;
  const std::string root_before = read_file(ca.root_file());

  ca.kill_hard();
  auto token = std::make_unique<SoftHsmToken>();
  token->import_key(state_dir / "intermediate.key", "xmppcert intermediate");
  token->import_key(state_dir / "log.key", "xmppcert transparency log");
  token->import_key(state_dir / "https.key", "xmppcert https");
  nlohmann::json meta = nlohmann::json::parse(read_file(state_dir / "ca.json"));
  meta["pkcs11"] = {{"module", SoftHsmToken::kModule},
                    {"token", token->label()},
                    {"pin_file", token->pin_file()}};
  testing::write_text(state_dir / "ca.json", meta.dump(2));
  std::filesystem::create_directories(client / "offline");
  for (const char* file : {"root.key", "intermediate.key", "log.key", "https.key"})
    std::filesystem::rename(state_dir / file, client / "offline" / file);
  EXPECT_EQ(files_containing(state_dir, "PRIVATE KEY"), std::vector<std::string>{});
  ca.use_token(std::move(token));
  ca.start();

  enroll("after.example.test");
  EXPECT_EQ(read_file(ca.root_file()), root_before);
  ProcessResult list_after = ca.run_ca({"log-list", "--state-dir", ca.state_dir()});
  ASSERT_EQ(list_after.exit_code, 0) << list_after.err;
  nlohmann::json before = nlohmann::json::parse(list_before.out);
  nlohmann::json after = nlohmann::json::parse(list_after.out);
  EXPECT_EQ(after["operators"][0]["logs"][0]["key"], before["operators"][0]["logs"][0]["key"]);
  CurlHttpClient http(HttpOptions{ca.root_file()});
  nlohmann::json sth = nlohmann::json::parse(
      http.get("https://127.0.0.1:" + std::to_string(ca.port()) + "/ct/v1/get-sth").body);
  EXPECT_EQ(sth["tree_size"], 2) << sth;
  EXPECT_TRUE(testing::tree_head_signature_verifies(after, sth)) << sth;
}

}  // namespace
}  // namespace xmppcert
