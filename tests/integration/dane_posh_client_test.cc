// `xmppcert dane`, `posh` and `enroll-client` against what the openssl command computes
// independently from the certificate a plugin installed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/certificate.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

std::string openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = run_process(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// The last whitespace-separated word of openssl's output, without the newline.
std::string last_word(const std::string& text) {
  size_t end = text.find_last_not_of("\n ");
  size_t start = text.find_last_of(" =", end);
  return text.substr(start + 1, end - start);
}

class DanePoshClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir / "out");
    nlohmann::json config = {{"state_dir", (dir / "state").string()},
                             {"certificates",
                              {{"a.example.test",
                                {{"components", {"conference"}},
                                 {"install",
                                  {{"plugin", "files"},
                                   {"key", (dir / "out" / "a.key").string()},
                                   {"fullchain", (dir / "out" / "a.crt").string()}}}}}}}};
    write_file_atomically(dir / "config.json", config.dump(), with_mode(0644));
    ProcessResult r = run_xmppcert({"enroll", "--config", (dir / "config.json").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    installed = (dir / "out" / "a.crt").string();
  }

  TempDir dir;
  std::string installed;
};

TEST_F(DanePoshClientTest, DanePrintsTlsaRecordsOfTheInstalledKeyForBothPorts) {
  openssl({"x509", "-in", installed, "-pubkey", "-noout", "-out", (dir / "pub.pem").string()});
  openssl({"pkey", "-pubin", "-in", (dir / "pub.pem").string(), "-outform", "DER", "-out",
           (dir / "pub.der").string()});
  std::string expected = last_word(openssl({"dgst", "-sha256", (dir / "pub.der").string()}));
  ASSERT_EQ(expected.size(), 64u);

  for (const auto& source : std::vector<std::vector<std::string>>{
           {"--state-dir", (dir / "state").string()}, {"--cert", installed}}) {
    std::vector<std::string> args{"dane", "a.example.test"};
    args.insert(args.end(), source.begin(), source.end());
    ProcessResult r = run_xmppcert(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("_5269._tcp.a.example.test. IN TLSA 3 1 1 " + expected + "\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("_5222._tcp.a.example.test. IN TLSA 3 1 1 " + expected + "\n"),
              std::string::npos)
        << r.out;
  }
  // A component is found through the certificate that carries it.
  ProcessResult component =
      run_xmppcert({"dane", "conference.a.example.test", "--state-dir", (dir / "state").string()});
  EXPECT_NE(component.out.find(expected), std::string::npos) << component.err;
}

TEST_F(DanePoshClientTest, PoshWritesBothDocumentsWithTheInstalledCertificatesFingerprint) {
  openssl({"x509", "-in", installed, "-outform", "DER", "-out", (dir / "cert.der").string()});
  openssl({"dgst", "-sha256", "-binary", "-out", (dir / "digest").string(),
           (dir / "cert.der").string()});
  std::string expected = openssl({"base64", "-A", "-in", (dir / "digest").string()});
  expected.erase(expected.find_last_not_of("\n") + 1);

  fs::path web = dir / "www" / ".well-known" / "posh";
  fs::create_directories(web);
  ProcessResult r = run_xmppcert(
      {"posh", "a.example.test", "--state-dir", (dir / "state").string(), "--out", web.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"xmpp-server.json", "xmpp-client.json"}) {
    auto doc = nlohmann::json::parse(read_file(web / name));
    EXPECT_EQ(doc["fingerprints"][0]["sha-256"], expected) << name;
    EXPECT_GT(doc["expires"].get<long>(), 0);
    EXPECT_LE(doc["expires"].get<long>(), 86400);
    EXPECT_EQ(file_mode(web / name), 0644u);
  }
}

TEST_F(DanePoshClientTest, UnknownDomainIsAUsageErrorNamingIt) {
  ProcessResult r =
      run_xmppcert({"dane", "other.example.test", "--state-dir", (dir / "state").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no issued certificate for other.example.test"), std::string::npos) << r.err;
}

TEST_F(DanePoshClientTest, EnrollClientWritesAKeyAndACertificateNamingTheBareJid) {
  ProcessResult r = run_xmppcert({"enroll-client", "Alice@a.example.test", "--out",
                                  (dir / "out").string(), "--state-dir", (dir / "state").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::path cert_path = dir / "out" / "alice@a.example.test.crt";
  fs::path key_path = dir / "out" / "alice@a.example.test.key";
  EXPECT_EQ(file_mode(key_path), 0600u);
  auto chain = parse_certificate_chain(read_file(cert_path), cert_path.string());
  ASSERT_EQ(chain.size(), 2u);  // the leaf, then the local CA root
  CertificateInfo info = inspect_certificate(chain[0].get());
  EXPECT_EQ(info.identities.xmpp_addrs, std::vector<std::string>{"alice@a.example.test"});
  EXPECT_TRUE(info.identities.dns_ids.empty());
  EXPECT_TRUE(info.client_auth);
  EXPECT_TRUE(certificate_matches_key(
      chain[0].get(), load_private_key(read_file(key_path), key_path.string()).get()));
  // It verifies against the same root the servers trust.
  ProcessResult root = run_xmppcert({"ca", "export", "--state-dir", (dir / "state").string()});
  write_text(dir / "root.pem", root.out);
  std::string verify = openssl({"verify", "-purpose", "sslclient", "-CAfile",
                                (dir / "root.pem").string(), cert_path.string()});
  EXPECT_NE(verify.find("OK"), std::string::npos);

  ProcessResult with_resource =
      run_xmppcert({"enroll-client", "alice@a.example.test/phone", "--out", (dir / "out").string(),
                    "--state-dir", (dir / "state").string()});
  EXPECT_EQ(with_resource.exit_code, 2);
  EXPECT_NE(with_resource.err.find("without a resource"), std::string::npos) << with_resource.err;
}

}  // namespace
}  // namespace xmppcert::testing
