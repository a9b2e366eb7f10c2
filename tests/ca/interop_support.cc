#include "tests/ca/interop_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

namespace xmppcert::testing {

bool installed(const char* path) { return ::access(path, X_OK) == 0; }

ProcessResult run_with_env(const Environment& env, std::vector<std::string> argv) {
  std::vector<std::string> full{"env"};
  for (const auto& [name, value] : env) full.push_back(name + "=" + value);
  full.insert(full.end(), argv.begin(), argv.end());
  return run_process(full);
}

std::string serial_of(const std::filesystem::path& cert) {
  ProcessResult r = run_process({"openssl", "x509", "-noout", "-serial", "-in", cert});
  std::string serial = r.out.substr(r.out.find('=') + 1);
  serial.erase(std::remove(serial.begin(), serial.end(), '\n'), serial.end());
  return serial;
}

std::string crl_text(const FoundationCa& ca, const TempDir& dir) {
  std::string der = (dir / "ca.crl").string();
  ProcessResult fetched = run_process({"curl", "-sS", "--cacert", ca.root_file(), "-o", der,
                                       "https://127.0.0.1:" + std::to_string(ca.port()) + "/crl"});
  EXPECT_EQ(fetched.exit_code, 0) << fetched.err;
  ProcessResult text =
      run_process({"openssl", "crl", "-inform", "DER", "-noout", "-text", "-in", der});
  return text.out + text.err;
}

std::filesystem::path find_file(const std::filesystem::path& root, const std::string& name) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
    if (entry.path().filename() == name) return entry.path();
  return {};
}

void lego_obtains_and_revokes(const FoundationCa& ca, Environment env, const std::string& domain,
                              const std::vector<std::string>& solver,
                              const std::string& directory) {
  TempDir dir;
  env.emplace_back("LEGO_CA_CERTIFICATES", ca.root_file());
  std::vector<std::string> common{"lego",
                                  "--server",
                                  directory.empty() ? ca.directory_url() : directory,
                                  "--accept-tos",
                                  "--email",
                                  "admin@example.test",
                                  "--path",
                                  (dir / "lego").string(),
                                  "--domains",
                                  domain};
  common.insert(common.end(), solver.begin(), solver.end());
  std::vector<std::string> run = common;
  run.push_back("run");
  ProcessResult r = run_with_env(env, run);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << "\nCA log:\n" << ca.log();
  auto cert = dir / "lego" / "certificates" / (domain + ".crt");
  ASSERT_TRUE(std::filesystem::exists(cert)) << domain;
  std::string serial = serial_of(cert);
  std::vector<std::string> revoke = common;
  revoke.push_back("revoke");
  r = run_with_env(env, revoke);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << "\nCA log:\n" << ca.log();
  EXPECT_NE(crl_text(ca, dir).find(serial), std::string::npos) << serial;
}

void certbot_obtains_and_revokes(const FoundationCa& ca, const std::string& domain,
                                 const std::string& directory) {
  TempDir dir;
  const Environment env{{"REQUESTS_CA_BUNDLE", ca.root_file()}};
  std::vector<std::string> dirs{
      "--config-dir",     (dir / "config").string(),
      "--work-dir",       (dir / "work").string(),
      "--logs-dir",       (dir / "logs").string(),
      "--server",         directory.empty() ? ca.directory_url() : directory,
      "--non-interactive"};
  std::vector<std::string> obtain{"certbot",
                                  "certonly",
                                  "--standalone",
                                  "--http-01-address",
                                  "127.0.0.1",
                                  "--http-01-port",
                                  std::to_string(ca.http01_port()),
                                  "-d",
                                  domain,
                                  "--agree-tos",
                                  "--register-unsafely-without-email"};
  obtain.insert(obtain.end(), dirs.begin(), dirs.end());
  ProcessResult r = run_with_env(env, obtain);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << "\nCA log:\n" << ca.log();
  auto cert = find_file(dir / "config", "cert1.pem");
  ASSERT_FALSE(cert.empty());
  std::string serial = serial_of(cert);
  std::vector<std::string> revoke{"certbot", "revoke", "--cert-path", cert.string(),
                                  "--no-delete-after-revoke"};
  revoke.insert(revoke.end(), dirs.begin(), dirs.end());
  r = run_with_env(env, revoke);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << "\nCA log:\n" << ca.log();
  EXPECT_NE(crl_text(ca, dir).find(serial), std::string::npos) << serial;
}

}  // namespace xmppcert::testing
