#include "engine/starttls_probe.h"

#include <gtest/gtest.h>

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

class StartTlsProbeTest : public ::testing::Test {
 protected:
  TempDir dir_;
  testing::TestCertificate cert_ = testing::issue_test_certificate(dir_ / "ca", {"example.org"});
  testing::StartTlsBehaviour serving() const {
    return {cert_.cert_pem + cert_.chain_pem, private_key_pem(cert_.key.get()), true, ""};
  }
  std::string failure_of(const ProbeTarget& target) {
    try {
      probe_starttls(target, std::chrono::seconds(5));
    } catch (const OperationError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(StartTlsProbeTest, ReturnsTheChainServedAfterStartTlsWithSniAndStreamTo) {
  StartTlsServer server(serving());
  ServedChain served =
      probe_starttls({"127.0.0.1", server.port(), "example.org", false}, std::chrono::seconds(5));
  ASSERT_EQ(served.chain.size(), 2u);
  EXPECT_EQ(sha256_fingerprint(served.chain[0].get()), sha256_fingerprint(cert_.leaf.get()));
  EXPECT_FALSE(served.tls_version.empty());
  EXPECT_EQ(server.last_sni(), "example.org");
  EXPECT_NE(server.last_stream_header().find("to='example.org'"), std::string::npos);
  EXPECT_NE(server.last_stream_header().find("jabber:client"), std::string::npos);
}

TEST_F(StartTlsProbeTest, S2sTargetsOpenAJabberServerStream) {
  StartTlsServer server(serving());
  probe_starttls({"127.0.0.1", server.port(), "example.org", true}, std::chrono::seconds(5));
  EXPECT_NE(server.last_stream_header().find("jabber:server"), std::string::npos);
}

TEST_F(StartTlsProbeTest, AServerWithoutStartTlsIsAnErrorNamingTheTarget) {
  auto behaviour = serving();
  behaviour.offer_starttls = false;
  StartTlsServer server(behaviour);
  std::string error = failure_of({"127.0.0.1", server.port(), "example.org", false});
  EXPECT_NE(error.find("probe STARTTLS on 127.0.0.1:" + std::to_string(server.port())),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("does not offer STARTTLS for example.org"), std::string::npos) << error;
}

TEST_F(StartTlsProbeTest, AStreamErrorIsReportedByItsCondition) {
  auto behaviour = serving();
  behaviour.stream_error = "host-unknown";
  StartTlsServer server(behaviour);
  std::string error = failure_of({"127.0.0.1", server.port(), "example.org", false});
  EXPECT_NE(error.find("stream error <host-unknown/>"), std::string::npos) << error;
}

TEST_F(StartTlsProbeTest, NothingListeningIsAConnectError) {
  int port = 0;
  int fd = testing::listen_on_loopback(port);
  ::close(fd);  // the port is free again: nothing listens there
  std::string error = failure_of({"127.0.0.1", port, "example.org", false});
  EXPECT_NE(error.find("connect:"), std::string::npos) << error;
}

TEST(DescribeTarget, NamesAddressPortKindAndDomain) {
  EXPECT_EQ(describe_target({"127.0.0.1", 5222, "example.org", false}),
            "127.0.0.1:5222 (c2s, example.org)");
  EXPECT_EQ(describe_target({"::1", 5269, "example.org", true}).find("s2s"), 10u);
}

}  // namespace
}  // namespace xmppcert
