// A hostile ACME client against the real xmppcert-ca (issue 24): requests no honest client
// sends — JSON nested 100,000 deep, fields of the wrong type, loose account URLs, weak keys —
// must each end in a 4xx problem document, and the CA must keep serving afterwards.
// Backend: SQLite only. The WFE refuses these before any storage call (the kid's account
// lookup is the same SA call every Storage/FoundationCaProtocol test makes on both), and the
// file-mode test is about ca.db, which only SQLite has.
#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <string>

#include "engine/encoding.h"
#include "tests/ca/raw_acme_client.h"

namespace xmppcert {
namespace {

using nlohmann::json;
using testing::FoundationCa;
using testing::problem_type;
using testing::RawAcmeClient;

const std::string kMalformed = "urn:ietf:params:acme:error:malformed";

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

class HostileClient : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    ca_ = std::make_unique<FoundationCa>(options());
  }
  virtual testing::FoundationCaOptions options() { return {}; }
  void expect_still_serving() {
    RawAcmeClient fresh(*ca_);
    EXPECT_EQ(fresh.create_account().status, 201) << ca_->log();
  }
  // A JWS whose protected header is `header` as given (no signature that verifies).
  static std::string jws_with_header(const json& header, const std::string& payload) {
    return json{{"protected", base64url_encode(header.dump())},
                {"payload", base64url_encode(payload)},
                {"signature", base64url_encode("not-a-signature")}}
        .dump();
  }
  std::unique_ptr<FoundationCa> ca_;
};

TEST_F(HostileClient, JsonNestedDeeperThan32LevelsIsRefusedWhereverItIsAndTheCaKeepsServing) {
  RawAcmeClient client(*ca_);
  std::string url = client.endpoint("newAccount");
  // In the external account binding (which was re-serialized: a segfault), in the payload,
  // in the protected header and in the outer body.
  HttpResponse eab =
      client.post(url, R"({"externalAccountBinding":)" + nested_arrays(100000) + "}", true);
  EXPECT_EQ(eab.status, 400) << eab.body;
  EXPECT_EQ(problem_type(eab), kMalformed) << eab.body;
  EXPECT_NE(eab.body.find("deeper than 32"), std::string::npos) << eab.body;
  HttpResponse outer = client.send(url, R"({"protected":)" + nested_arrays(100000) + "}");
  EXPECT_EQ(problem_type(outer), kMalformed) << outer.body;
  HttpResponse header =
      client.send(url, json{{"protected", base64url_encode(nested_arrays(100000))},
                            {"payload", ""},
                            {"signature", ""}}
                           .dump());
  EXPECT_EQ(problem_type(header), kMalformed) << header.body;
  ASSERT_EQ(client.create_account().status, 201);
  HttpResponse contact = client.post(client.kid, R"({"contact":)" + nested_arrays(100000) + "}");
  EXPECT_EQ(problem_type(contact), kMalformed) << contact.body;
  // 32 levels are still JSON the CA reads (here: refused for its content, not its depth).
  HttpResponse shallow = client.post(client.kid, R"({"contact":)" + nested_arrays(31) + "}");
  EXPECT_EQ(shallow.body.find("deeper"), std::string::npos) << shallow.body;
  expect_still_serving();
}

TEST_F(HostileClient, ContactMustBeABoundedArrayOfMailtoStrings) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  for (const char* bad :
       {R"({"contact":{"a":1}})", R"({"contact":"mailto:a@example.test"})", R"({"contact":[1]})",
        R"({"contact":["https://example.test"]})", R"({"contact":["mailto:a@example.test\n"]})"}) {
    HttpResponse r = client.post(client.kid, bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  json many = json::array();
  for (int i = 0; i < 11; ++i) many.push_back("mailto:a" + std::to_string(i) + "@example.test");
  EXPECT_EQ(client.post(client.kid, json{{"contact", many}}.dump()).status, 400);
  json account = client.post_json(client.kid, {{"contact", {"mailto:ops@example.test"}}});
  EXPECT_EQ(account["contact"], json({"mailto:ops@example.test"})) << account.dump();
  // A refused update stored nothing.
  EXPECT_EQ(client.get_json(client.kid)["contact"], json({"mailto:ops@example.test"}));
}

TEST_F(HostileClient, NonStringAlgUrlKidOrFieldsOfTheWrongTypeAreMalformedNotServerErrors) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  std::string url = client.endpoint("newOrder");
  for (const json& header : {json{{"alg", 5}, {"kid", client.kid}, {"url", url}},
                             json{{"alg", "ES256"}, {"kid", client.kid}, {"url", 5}},
                             json{{"alg", "ES256"}, {"kid", 4}, {"url", url}},
                             json{{"alg", json::array()}, {"jwk", {{"kty", 1}}}, {"url", url}}}) {
    json full = header;
    full["nonce"] = client.nonce();
    HttpResponse r = client.send(url, jws_with_header(full, "{}"));
    EXPECT_GE(r.status, 400) << header.dump() << ": " << r.body;
    EXPECT_LT(r.status, 500) << header.dump() << ": " << r.body;
  }
  for (const char* payload : {R"({"identifiers":[{"type":"dns","value":7}]})",
                              R"({"identifiers":[{"type":["dns"],"value":"x.example.test"}]})"}) {
    HttpResponse r = client.post(url, payload);
    EXPECT_EQ(problem_type(r), kMalformed) << payload << ": " << r.body;
  }
  json done = testing::finalized_order(client, *ca_, "revoke.example.test");
  ASSERT_EQ(done["status"], "valid") << done.dump();
  auto chain = parse_certificate_chain(client.post(done["certificate"], "").body, "download");
  unsigned char* bytes = nullptr;
  int length = i2d_X509(chain[0].get(), &bytes);
  std::string der(reinterpret_cast<char*>(bytes), length > 0 ? length : 0);
  OPENSSL_free(bytes);
  HttpResponse revoke =
      client.post(client.endpoint("revokeCert"),
                  json{{"certificate", base64url_encode(der)}, {"reason", "keyCompromise"}}.dump());
  EXPECT_EQ(problem_type(revoke), kMalformed) << revoke.body;
  HttpResponse only =
      client.post(client.endpoint("newAccount"), R"({"onlyReturnExisting":"yes"})", true);
  EXPECT_EQ(problem_type(only), kMalformed) << only.body;
  expect_still_serving();
}

TEST_F(HostileClient, AKidIsParsedWholeAndAnAccountUrlWithTrailingTextNamesNoAccount) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  std::string kid = client.kid;
  for (const std::string& loose : {kid + "abc", kid + "/", kid + " ", kid + "0"}) {
    client.kid = loose;
    HttpResponse r = client.post(client.endpoint("newOrder"),
                                 R"({"identifiers":[{"type":"dns","value":"k.example.test"}]})");
    EXPECT_EQ(problem_type(r), "urn:ietf:params:acme:error:accountDoesNotExist")
        << loose << ": " << r.body;
  }
}

TEST_F(HostileClient, TheStateDirAndTheDatabaseFilesArePrivateEvenWhenTheyWereNot) {
  std::filesystem::path dir = ca_->state_dir();
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);  // the database and its WAL exist now
  auto mode = [](const std::filesystem::path& path) {
    struct stat info {};
    ::stat(path.c_str(), &info);
    return info.st_mode & 07777;
  };
  for (const char* name : {"ca.db", "ca.db-wal", "ca.db-shm"})
    if (std::filesystem::exists(dir / name)) {
      EXPECT_EQ(mode(dir / name), 0600u) << name;
    }
  EXPECT_EQ(mode(dir), 0700u);
  // Loosened by hand, then served again: tightened.
  ca_->kill_hard();
  ::chmod(dir.c_str(), 0755);
  ::chmod((dir / "ca.db").c_str(), 0644);
  ca_->start();
  EXPECT_EQ(mode(dir), 0700u);
  EXPECT_EQ(mode(dir / "ca.db"), 0600u);
}

}  // namespace
}  // namespace xmppcert
