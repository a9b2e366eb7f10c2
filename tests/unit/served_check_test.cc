#include "engine/served_check.h"

#include <gtest/gtest.h>

#include <thread>

#include "engine/certificate.h"
#include "engine/errors.h"
#include "engine/keys.h"
#include "tests/unit/starttls_server.h"
#include "tests/unit/test_certificates.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::StartTlsServer;
using testing::TempDir;

class ServedCheckTest : public ::testing::Test {
 protected:
  static testing::StartTlsBehaviour serving(const testing::TestCertificate& cert) {
    return {cert.cert_pem + cert.chain_pem, private_key_pem(cert.key.get()), true, ""};
  }
  TempDir dir_;
  testing::TestCertificate old_ = testing::issue_test_certificate(dir_ / "ca", {"example.org"});
  testing::TestCertificate new_ = testing::issue_test_certificate(dir_ / "ca", {"example.org"});
};

TEST_F(ServedCheckTest, PassesWhenEveryTargetServesTheCertificate) {
  StartTlsServer c2s(serving(new_));
  StartTlsServer s2s(serving(new_));
  EXPECT_NO_THROW(verify_served({{"127.0.0.1", c2s.port(), "example.org", false},
                                 {"127.0.0.1", s2s.port(), "example.org", true}},
                                sha256_fingerprint(new_.leaf.get()), std::chrono::seconds(5)));
}

TEST_F(ServedCheckTest, WaitsForAReloadThatTakesAWhileToShow) {
  StartTlsServer server(serving(old_));
  std::thread reload([&] {
    // The server's slow reload that the check must wait out (the point of the test).
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    server.set_behaviour(serving(new_));
  });
  EXPECT_NO_THROW(verify_served({{"127.0.0.1", server.port(), "example.org", false}},
                                sha256_fingerprint(new_.leaf.get()), std::chrono::seconds(5)));
  reload.join();
}

TEST_F(ServedCheckTest, FailsAfterTheWaitNamingTheTargetAndWhatItServes) {
  StartTlsServer server(serving(old_));
  try {
    verify_served({{"127.0.0.1", server.port(), "example.org", false}},
                  sha256_fingerprint(new_.leaf.get()), std::chrono::seconds(0));
    FAIL() << "verified";
  } catch (const OperationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("verify served certificate on 127.0.0.1:" +
                           std::to_string(server.port()) + " (c2s, example.org)"),
              std::string::npos)
        << message;
    EXPECT_NE(
        message.find("serves certificate " + sha256_fingerprint(old_.leaf.get()).substr(0, 23)),
        std::string::npos)
        << message;
  }
}

TEST_F(ServedCheckTest, AProbeFailureIsTheReasonGiven) {
  auto behaviour = serving(new_);
  behaviour.offer_starttls = false;
  StartTlsServer server(behaviour);
  try {
    verify_served({{"127.0.0.1", server.port(), "example.org", false}},
                  sha256_fingerprint(new_.leaf.get()), std::chrono::seconds(0));
    FAIL() << "verified";
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("does not offer STARTTLS"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xmppcert
