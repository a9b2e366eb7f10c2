#include "engine/enroll.h"

#include <gtest/gtest.h>

#include "engine/certificate.h"
#include "engine/csr.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/log.h"
#include "engine/san.h"
#include "plugins/issuers/local/local_ca.h"
#include "plugins/servers/files/files_plugin.h"
#include "tests/support/crash_points.h"
#include "tests/support/fake_issuer.h"
#include "tests/support/fake_server_plugin.h"
#include "tests/support/memory_store.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::FakeIssuer;
using testing::FakeServerPlugin;
using testing::TempDir;

CertificateRequest request_for(const std::string& domain) {
  CertificateRequest request;
  request.name = domain;
  request.domains = {domain};
  request.components = {"conference"};
  return request;
}

// What public ACME CAs issue: DNS-IDs only, serverAuth only; self-signed here because only
// the leaf's content matters to these tests.
IssuedCertificate dns_only_certificate(const IssuanceRequest& request) {
  PKeyPtr signer = generate_private_key(KeyType::kEcP256);
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(request.csr));
  X509_set_issuer_name(cert.get(), X509_REQ_get_subject_name(request.csr));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), X509_REQ_get0_pubkey(request.csr));
  GeneralNamesPtr names = encode_subject_alt_names({request.identities.dns_ids, {}, {}});
  X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, 0);
  EXTENDED_KEY_USAGE* eku = sk_ASN1_OBJECT_new_null();
  sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth));
  X509_add1_ext_i2d(cert.get(), NID_ext_key_usage, eku, 0, 0);
  sk_ASN1_OBJECT_free(eku);
  X509_sign(cert.get(), signer.get(), EVP_sha256());
  return {certificate_pem(cert.get()), ""};
}

class EnrollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_sink([this](const std::string& line) { log_ += line + "\n"; });
  }
  void TearDown() override { set_log_sink(nullptr); }
  TempDir dir_;
  testing::MemoryStore store_{dir_ / "versions"};
  LocalCa ca_{dir_ / "state" / "ca" / "local"};
  std::string log_;
};

TEST_F(EnrollTest, IssuesStoresAndRecordsACertificateWithAllXmppIdentities) {
  CertificateRecord record =
      enroll_certificate(store_, request_for("example.org"), ca_, nullptr, std::time(nullptr));
  EXPECT_EQ(record.current_version, 1);
  EXPECT_TRUE(record.dropped_identities.empty());
  EXPECT_EQ(record.certificate.identities, identities_of(request_for("example.org")));
  auto loaded = store_.load("example.org");
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->last_attempt->ok);
  EXPECT_EQ(loaded->next_renewal, record.next_renewal);
}

// The renewal time that production reads back (decide_renewal and xmppcertd's schedule use the
// stored next_renewal, not the certificate's dates) is two thirds into the lifetime, plus a
// per-name jitter below 1% of it, when the issuer suggests no time of its own.
TEST_F(EnrollTest, TheStoredRenewalTimeIsTwoThirdsIntoTheLifetime) {
  CertificateRequest request = request_for("example.org");
  request.validity = std::chrono::hours(24 * 90);
  enroll_certificate(store_, request, ca_, nullptr, std::time(nullptr));
  auto stored = store_.load("example.org");
  ASSERT_TRUE(stored);
  const CertificateInfo& cert = stored->certificate;
  std::time_t lifetime = cert.not_after - cert.not_before;
  ASSERT_GT(lifetime, 80 * 86400) << "the local CA honours validity";
  EXPECT_GE(stored->next_renewal, cert.not_before + lifetime * 2 / 3);
  EXPECT_LT(stored->next_renewal, cert.not_before + lifetime * 2 / 3 + lifetime / 100 + 1);
}

TEST_F(EnrollTest, ReuseKeyKeepsThePrivateKeyAcrossRenewals) {
  CertificateRequest request = request_for("example.org");
  request.reuse_key = true;
  enroll_certificate(store_, request, ca_, nullptr, std::time(nullptr));
  enroll_certificate(store_, request, ca_, nullptr, std::time(nullptr));
  EXPECT_EQ(read_file(store_.version("example.org", 1).key_path()),
            read_file(store_.version("example.org", 2).key_path()));
  request.reuse_key = false;
  enroll_certificate(store_, request, ca_, nullptr, std::time(nullptr));
  EXPECT_NE(read_file(store_.version("example.org", 2).key_path()),
            read_file(store_.version("example.org", 3).key_path()));
}

TEST_F(EnrollTest, CertificateForAnotherKeyIsRejectedAndThePreviousStaysCurrent) {
  enroll_certificate(store_, request_for("example.org"), ca_, nullptr, std::time(nullptr));
  // A certificate for somebody else's key.
  LocalCa other_ca(dir_ / "other-ca");
  FakeIssuer wrong("wrong-key");
  wrong.issue_with = [&](const IssuanceRequest& request) {
    PKeyPtr other = generate_private_key(KeyType::kEcP256);
    X509ReqPtr csr = build_csr(other.get(), request.identities);
    return other_ca.issue({request.name, request.identities, csr.get(), request.validity});
  };
  EXPECT_THROW(
      enroll_certificate(store_, request_for("example.org"), wrong, nullptr, std::time(nullptr)),
      OperationError);
  auto record = store_.load("example.org");
  EXPECT_EQ(record->current_version, 1);
  EXPECT_FALSE(record->last_attempt->ok);
  EXPECT_NE(record->last_attempt->message.find("not ours"), std::string::npos);
  EXPECT_EQ(record->consecutive_failures, 1);
}

TEST_F(EnrollTest, IdentitiesAnIssuerDroppedAreRecordedNotFatal) {
  FakeIssuer issuer("dns-only");
  issuer.issue_with = dns_only_certificate;
  CertificateRecord record =
      enroll_certificate(store_, request_for("example.org"), issuer, nullptr, std::time(nullptr));
  EXPECT_EQ(
      record.dropped_identities,
      (std::vector<std::string>{"SRV:_xmpp-client.example.org", "SRV:_xmpp-server.example.org",
                                "SRV:_xmpp-server.conference.example.org", "XmppAddr:example.org",
                                "XmppAddr:conference.example.org"}));
  EXPECT_FALSE(record.certificate.client_auth);
  EXPECT_NE(log_.find("dropped requested identities"), std::string::npos) << log_;
  EXPECT_NE(log_.find("clientAuth"), std::string::npos) << log_;
  EXPECT_EQ(store_.load("example.org")->dropped_identities, record.dropped_identities);
}

TEST_F(EnrollTest, FailedReloadReinstallsThePreviousCertificateAndKeepsItCurrent) {
  FakeServerPlugin plugin("failing-reload", dir_ / "served.pem");
  enroll_certificate(store_, request_for("example.org"), ca_, &plugin, std::time(nullptr));
  std::string served_before = read_file(dir_ / "served.pem");
  plugin.fail_next_reload = true;
  try {
    enroll_certificate(store_, request_for("example.org"), ca_, &plugin, std::time(nullptr));
    FAIL() << "no error";
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("previous certificate v1 restored"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(read_file(dir_ / "served.pem"), served_before);
  EXPECT_EQ(store_.load("example.org")->current_version, 1);
}

// Issue 12 #17: every failed attempt left its version folder: 1,394 of them after a night
// of failing reloads.
TEST_F(EnrollTest, VersionFoldersOfFailedAttemptsArePrunedToo) {
  FakeServerPlugin plugin("failing-reload", dir_ / "served.pem");
  enroll_certificate(store_, request_for("example.org"), ca_, &plugin, std::time(nullptr));
  for (int i = 0; i < 12; ++i) {
    plugin.fail_next_reload = true;
    // A name more each time: the certificate issued but not installed by the previous attempt
    // does not cover it, so every attempt orders and writes a version of its own.
    CertificateRequest request = request_for("example.org");
    request.domains.push_back("n" + std::to_string(i) + ".example.org");
    EXPECT_THROW(enroll_certificate(store_, request, ca_, &plugin, std::time(nullptr)),
                 OperationError);
  }
  EXPECT_LE(store_.versions("example.org").size(), kVersionsKept + 1u);
  EXPECT_EQ(store_.load("example.org")->current_version, 1);
  EXPECT_TRUE(std::filesystem::exists(store_.version("example.org", 1).cert_path()));
}

// Issue 23 item 8: a certificate the issuer gave whose reload failed (the server was down)
// is installed at the next try; no second order (a public CA's rate limits).
TEST_F(EnrollTest, ACertificateIssuedButNotInstalledIsInstalledAtTheNextTryWithoutANewOrder) {
  FakeServerPlugin plugin("failing-reload", dir_ / "served.pem");
  FakeIssuer issuer("local", ca_);  // counting the certificates it is asked for
  enroll_certificate(store_, request_for("example.org"), issuer, &plugin, std::time(nullptr));
  plugin.fail_next_reload = true;
  EXPECT_THROW(
      enroll_certificate(store_, request_for("example.org"), issuer, &plugin, std::time(nullptr)),
      OperationError);
  ASSERT_EQ(issuer.orders, 2);
  auto failed = store_.load("example.org");
  ASSERT_TRUE(failed->issued_not_installed);
  EXPECT_EQ(failed->issued_not_installed->version, 2);
  EXPECT_EQ(failed->current_version, 1);

  CertificateRecord record =
      enroll_certificate(store_, request_for("example.org"), issuer, &plugin, std::time(nullptr));
  EXPECT_EQ(issuer.orders, 2);
  EXPECT_EQ(record.current_version, 2);
  EXPECT_EQ(read_file(dir_ / "served.pem"),
            read_file(store_.version("example.org", 2).cert_path()));
  EXPECT_FALSE(store_.load("example.org")->issued_not_installed);
  EXPECT_NE(log_.find("not ordering: v2"), std::string::npos) << log_;
}

// ... but not when what is wanted changed since: a name added, or another issuer.
TEST_F(EnrollTest, AnUninstalledCertificateForOtherNamesOrAnotherIssuerIsNotReused) {
  FakeServerPlugin plugin("failing-reload", dir_ / "served.pem");
  FakeIssuer issuer("local", ca_);  // counting the certificates it is asked for
  enroll_certificate(store_, request_for("example.org"), issuer, &plugin, std::time(nullptr));
  plugin.fail_next_reload = true;
  EXPECT_THROW(
      enroll_certificate(store_, request_for("example.org"), issuer, &plugin, std::time(nullptr)),
      OperationError);
  CertificateRequest more = request_for("example.org");
  more.domains.push_back("chat.example.org");
  CertificateRecord record = enroll_certificate(store_, more, issuer, &plugin, std::time(nullptr));
  EXPECT_EQ(issuer.orders, 3);
  EXPECT_EQ(record.current_version, 3);
  EXPECT_NE(log_.find("does not cover DNS:chat.example.org"), std::string::npos) << log_;

  plugin.fail_next_reload = true;
  EXPECT_THROW(enroll_certificate(store_, more, issuer, &plugin, std::time(nullptr)),
               OperationError);
  CertificateRecord left = *store_.load("example.org");
  ASSERT_TRUE(left.issued_not_installed);
  left.issued_not_installed->issuer = "foundation";  // the admin switched issuers since
  store_.save(left);
  enroll_certificate(store_, more, issuer, &plugin, std::time(nullptr));
  EXPECT_EQ(issuer.orders, 5);
  EXPECT_NE(log_.find("the issuer or its settings changed since"), std::string::npos) << log_;
}

// On the state dir: what a crash leaves there.
TEST_F(EnrollTest, CrashBeforeTheRecordIsSavedLeavesThePreviousVersionCurrent) {
  StateDirStore state_dir(dir_ / "state");
  enroll_certificate(state_dir, request_for("example.org"), ca_, nullptr, std::time(nullptr));
  int status = testing::run_in_child([&] {
    StateDirStore crashing(state_dir.root(), testing::exit_at("store:before-record"));
    enroll_certificate(crashing, request_for("example.org"), ca_, nullptr, std::time(nullptr));
  });
  EXPECT_EQ(status, 42);
  EXPECT_EQ(state_dir.load("example.org")->current_version, 1);
  EXPECT_EQ(
      enroll_certificate(state_dir, request_for("example.org"), ca_, nullptr, std::time(nullptr))
          .current_version,
      3);
}

}  // namespace
}  // namespace xmppcert
