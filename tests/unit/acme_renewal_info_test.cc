// Renewal Information (RFC 9773) and profiles: Debian's pebble 2.4.0 offers neither, so the
// whole issuance runs here against recorded responses from a scripted loopback server.
#include <gtest/gtest.h>

#include "engine/encoding.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/csr.h"
#include "engine/errors.h"
#include "engine/keys.h"
#include "engine/log.h"
#include "plugins/issuers/acme/acme_issuer.h"
#include "plugins/issuers/acme/renewal_info.h"
#include "plugins/issuers/local/local_ca.h"
#include "tests/unit/scripted_http_server.h"
#include "tests/unit/test_support.h"

namespace xmppcert::acme {
namespace {

using testing::ScriptedHttpServer;
using testing::ScriptedResponse;

X509Ptr certificate_with(const std::string& aki_hex, const std::string& serial_hex) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  BIGNUM* serial = nullptr;
  BN_hex2bn(&serial, serial_hex.c_str());
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
  BN_free(serial);
  AUTHORITY_KEYID* akid = AUTHORITY_KEYID_new();
  akid->keyid = ASN1_OCTET_STRING_new();
  long length = 0;
  unsigned char* bytes = OPENSSL_hexstr2buf(aki_hex.c_str(), &length);
  ASN1_OCTET_STRING_set(akid->keyid, bytes, static_cast<int>(length));
  OPENSSL_free(bytes);
  X509_add1_ext_i2d(cert.get(), NID_authority_key_identifier, akid, 0, 0);
  AUTHORITY_KEYID_free(akid);
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  // Re-parse so the extension cache reflects the added AKI.
  return parse_certificate(certificate_pem(cert.get()), "test");
}

TEST(RenewalInfo, CertificateIdMatchesTheRfc9773Example) {
  X509Ptr cert =
      certificate_with("69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4", "0087654321");
  EXPECT_EQ(renewal_certificate_id(cert.get()), "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
}

TEST(RenewalInfo, WindowAcceptsFractionalSecondsAndRejectsAnInvertedWindow) {
  auto window = parse_renewal_window(
      nlohmann::json::parse(
          R"({"suggestedWindow": {"start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00.123Z"}})"),
      "test");
  EXPECT_EQ(window.end - window.start, 86400);
  EXPECT_THROW(
      parse_renewal_window(
          nlohmann::json::parse(
              R"({"suggestedWindow": {"start": "2030-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"}})"),
          "test"),
      OperationError);
  EXPECT_THROW(parse_renewal_window(nlohmann::json::parse("{}"), "test"), OperationError);
}

class RecordedAcmeFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_sink([](const std::string&) {});
  }
  void TearDown() override { set_log_sink(nullptr); }

  std::deque<ScriptedResponse> script(const std::string& directory, const std::string& chain_pem,
                                      const std::string& window) {
    std::vector<std::string> nonce{"Replay-Nonce: n"};
    return {
        {200, {}, directory},
        {200, nonce, ""},  // HEAD newNonce
        {201, {"Replay-Nonce: n", "Location: {{BASE}}/acct/1"}, "{}"},
        {201,
         {"Replay-Nonce: n", "Location: {{BASE}}/order/1"},
         R"({"status": "pending", "authorizations": ["{{BASE}}/authz/1"], "finalize": "{{BASE}}/finalize/1"})"},
        {200, nonce,
         R"({"status": "valid", "identifier": {"type": "dns", "value": "a.example.test"}})"},
        {200, nonce, R"({"status": "processing"})"},
        {200, nonce, R"({"status": "valid", "certificate": "{{BASE}}/cert/1"})"},
        {200, {"Replay-Nonce: n", "Content-Type: application/pem-certificate-chain"}, chain_pem},
        {200, {}, window},
    };
  }

  IssuedCertificate issue_with(ScriptedHttpServer& server, const std::string& profile,
                               X509* replaces) {
    AcmeSettings settings;
    settings.directory = server.url("/dir");
    settings.agree_tos = true;
    settings.webroot = (dir_ / "webroot").string();
    settings.profile = profile;
    AcmeIssuer issuer(settings, dir_ / "state");
    XmppIdentities ids{{"a.example.test"}, {}, {}};
    X509ReqPtr csr = build_csr(key_.get(), ids);
    return issuer.issue({"a.example.test", ids, csr.get(), std::chrono::hours(24), replaces});
  }

  nlohmann::json new_order_payload(ScriptedHttpServer& server) {
    auto lines = server.request_lines();
    auto bodies = server.request_bodies();
    for (size_t i = 0; i < lines.size(); ++i)
      if (lines[i] == "POST /order") {
        auto jws = nlohmann::json::parse(bodies[i]);
        return nlohmann::json::parse(
            base64url_decode(jws["payload"].get<std::string>(), "payload"));
      }
    return {};
  }

  testing::TempDir dir_;
  PKeyPtr key_ = generate_private_key(KeyType::kEcP256);
  LocalCa ca_{dir_ / "ca"};
};

TEST_F(RecordedAcmeFlow, RenewalNamesTheReplacedCertificateAndTakesTheCasWindowAndProfile) {
  XmppIdentities ids{{"a.example.test"}, {}, {}};
  X509ReqPtr csr = build_csr(key_.get(), ids);
  IssuedCertificate leaf = ca_.issue({"a", ids, csr.get(), std::chrono::hours(24)});
  X509Ptr old_cert = parse_certificate(leaf.cert_pem, "old");
  std::string directory = R"({"newNonce": "{{BASE}}/nonce", "newAccount": "{{BASE}}/acct",
      "newOrder": "{{BASE}}/order", "renewalInfo": "{{BASE}}/ari",
      "meta": {"profiles": {"classic": "the old one", "tlsserver": "short-lived"}}})";
  // Inside the 24 h the certificate lives (a window ending after expiry is not followed).
  const std::time_t start = std::time(nullptr) + 12 * 3600, end = start + 6 * 3600;
  ScriptedHttpServer server(
      script(directory, leaf.cert_pem + leaf.chain_pem,
             R"({"suggestedWindow": {"start": ")" + format_utc(start) + R"(", "end": ")" +
                 format_utc(end) + R"("}})"));
  IssuedCertificate issued = issue_with(server, "tlsserver", old_cert.get());
  auto order = new_order_payload(server);
  EXPECT_EQ(order["profile"], "tlsserver");
  EXPECT_EQ(order["replaces"], renewal_certificate_id(old_cert.get()));
  EXPECT_GE(issued.renew_after, start);
  EXPECT_LE(issued.renew_after, end);
  EXPECT_EQ(server.request_lines().back(), "GET /ari/" + renewal_certificate_id(old_cert.get()));
}

TEST_F(RecordedAcmeFlow, WithoutRenewalInfoTheOrderNamesNothingAndTheEngineDecides) {
  XmppIdentities ids{{"a.example.test"}, {}, {}};
  X509ReqPtr csr = build_csr(key_.get(), ids);
  IssuedCertificate leaf = ca_.issue({"a", ids, csr.get(), std::chrono::hours(24)});
  X509Ptr old_cert = parse_certificate(leaf.cert_pem, "old");
  std::string directory =
      R"({"newNonce": "{{BASE}}/nonce", "newAccount": "{{BASE}}/acct", "newOrder": "{{BASE}}/order"})";
  ScriptedHttpServer server(script(directory, leaf.cert_pem + leaf.chain_pem, ""));
  IssuedCertificate issued = issue_with(server, "", old_cert.get());
  auto order = new_order_payload(server);
  EXPECT_FALSE(order.contains("replaces"));
  EXPECT_FALSE(order.contains("profile"));
  EXPECT_EQ(issued.renew_after, 0);
}

TEST_F(RecordedAcmeFlow, UnknownProfileIsAnErrorListingTheOfferedOnes) {
  std::string directory =
      R"({"newNonce": "{{BASE}}/nonce", "newAccount": "{{BASE}}/acct", "newOrder": "{{BASE}}/order",
      "meta": {"profiles": {"classic": "", "tlsserver": ""}}})";
  ScriptedHttpServer server(script(directory, "", ""));
  try {
    issue_with(server, "shortlived", nullptr);
    FAIL();
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("offered: classic, tlsserver"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace xmppcert::acme
