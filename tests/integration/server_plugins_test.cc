// The server plugins against real prosody, ejabberd and jabberd2 started by the tests:
// enroll through the plugin, prove with the STARTTLS probe (`xmppcert check`) that the new
// certificate is served on c2s and s2s, renew and prove it again; then break the next key
// after install and prove the rollback puts the old files back and keeps them served.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "engine/certificate.h"
#include "engine/enroll.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/log.h"
#include "engine/starttls_probe.h"
#include "plugins/issuers/local/local_ca.h"
#include "plugins/registry.h"
#include "plugins/servers/common/xmpp_server_plugin.h"
#include "plugins/servers/ejabberd/ejabberd_plugin.h"
#include "plugins/servers/jabberd2/jabberd2_plugin.h"
#include "plugins/servers/prosody/prosody_plugin.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/xmpp_servers.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

struct ServerCase {
  const char* plugin;
  const char* domain;
  bool has_component;  // the test config declares conference.DOMAIN
  bool (*available)();
  std::function<std::unique_ptr<XmppServer>(const std::string& domain)> start;
};

void PrintTo(const ServerCase& c, std::ostream* out) { *out << c.plugin; }

const ServerCase kCases[] = {
    {"prosody", "a.example.test", true, ProsodyServer::available,
     [](const std::string& d) { return std::make_unique<ProsodyServer>(d); }},
    {"ejabberd", "b.example.test", true, EjabberdServer::available,
     [](const std::string& d) { return std::make_unique<EjabberdServer>(d); }},
    {"jabberd2", "c.example.test", false, Jabberd2Server::available,
     [](const std::string& d) { return std::make_unique<Jabberd2Server>(d); }},
};

class ServerPluginTest : public ::testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    if (!GetParam().available()) GTEST_SKIP() << GetParam().plugin << " is not installed";
    server_ = GetParam().start(GetParam().domain);
  }

  void write_config() {
    nlohmann::json config = {
        {"certificates",
         {{GetParam().domain,
           {{"domains", {GetParam().domain}}, {"install", server_->install_settings()}}}}}};
    write_text(state_ / "config.json", config.dump(2));
  }

  nlohmann::json check(bool s2s) {
    std::vector<std::string> args = {
        "check",
        GetParam().domain,
        "--host",
        "127.0.0.1",
        "--port",
        std::to_string(s2s ? server_->s2s_port() : server_->c2s_port()),
        "--json",
        "--state-dir",
        (state_ / "state").string()};
    if (s2s) args.push_back("--s2s");
    ProcessResult result = run_xmppcert(args);
    EXPECT_NE(result.out, "") << result.err << server_->log();
    return result.out.empty() ? nlohmann::json::object() : nlohmann::json::parse(result.out);
  }

  std::string served_fingerprint(bool s2s) {
    ServedChain served = probe_starttls(
        {"127.0.0.1", s2s ? server_->s2s_port() : server_->c2s_port(), GetParam().domain, s2s});
    return sha256_fingerprint(served.chain.front().get());
  }

  TempDir state_;
  std::unique_ptr<XmppServer> server_;
};

TEST_P(ServerPluginTest, EnrollAndRenewServeTheNewCertificateOnC2sAndS2s) {
  write_config();
  std::vector<std::string> common = {"--config", (state_ / "config.json").string(), "--state-dir",
                                     (state_ / "state").string()};
  std::vector<std::string> enroll = {"enroll"};
  enroll.insert(enroll.end(), common.begin(), common.end());
  ProcessResult first = run_xmppcert(enroll);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err << server_->log();
  EXPECT_NE(first.err.find("is served on 2 port(s)"), std::string::npos) << first.err;

  for (bool s2s : {false, true}) {
    nlohmann::json served = check(s2s);
    EXPECT_TRUE(served.value("ok", false)) << served.dump(2);
    EXPECT_EQ(served.value("store", ""), std::string("matches \"") + GetParam().domain + "\" v1");
    auto dns = served["dns_ids"];
    if (GetParam().has_component) {
      EXPECT_NE(std::find(dns.begin(), dns.end(), std::string("conference.") + GetParam().domain),
                dns.end())
          << "the component discovered in the server's config is covered: " << served.dump();
    }
  }

  std::vector<std::string> renew = {"renew", "--force"};
  renew.insert(renew.end(), common.begin(), common.end());
  ProcessResult second = run_xmppcert(renew);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err << server_->log();
  for (bool s2s : {false, true}) {
    nlohmann::json served = check(s2s);
    EXPECT_TRUE(served.value("ok", false)) << served.dump(2);
    EXPECT_EQ(served.value("store", ""), std::string("matches \"") + GetParam().domain + "\" v2");
  }
}

// The plugin itself, not the registry's error-boundary wrapper (plugin_boundary.h): the
// damage needs files_for, which only XmppServerPlugin has.
std::unique_ptr<XmppServerPlugin> unwrapped_server_plugin(const InstallTarget& target) {
  const ServerKind& kind = target.plugin == "prosody"    ? kProsodyKind
                           : target.plugin == "ejabberd" ? kEjabberdKind
                                                         : kJabberd2Kind;
  return std::make_unique<XmppServerPlugin>(kind, target.settings, "test");
}

// Wraps a plugin and damages what it installed, before the reload.
class DamagingPlugin : public ServerPlugin {
 public:
  DamagingPlugin(std::unique_ptr<XmppServerPlugin> inner,
                 std::function<void(const std::vector<InstallFile>&, const StoredVersion&)> damage)
      : inner_(std::move(inner)), damage_(std::move(damage)) {}
  std::string name() const override { return inner_->name(); }
  void install(const StoredVersion& version) override {
    inner_->install(version);
    if (armed) damage_(inner_->files_for(version), version);
  }
  void reload() override { inner_->reload(); }
  bool rollback() override { return inner_->rollback(); }
  std::vector<InstallFile> files_for(const StoredVersion& version) const {
    return inner_->files_for(version);
  }
  std::vector<std::string> missing_config(const StoredVersion& v) const override {
    return inner_->missing_config(v);
  }
  std::vector<ProbeTarget> probe_targets(const std::string& domain) const override {
    return inner_->probe_targets(domain);
  }
  // Short only while damaging (the damaged version never comes up); the good install gets
  // the server's own wait (a jabberd2 restart under ASan on a loaded machine took over 6 s).
  std::chrono::seconds verify_wait() const override {
    return armed ? std::chrono::seconds(8) : inner_->verify_wait();
  }
  bool armed = false;

 private:
  std::unique_ptr<XmppServerPlugin> inner_;
  std::function<void(const std::vector<InstallFile>&, const StoredVersion&)> damage_;
};

// What an installed file is on disk: its bytes, mode and owners.
struct FileOnDisk {
  std::string content;
  mode_t mode = 0;
  uid_t owner = 0;
  gid_t group = 0;
  bool operator==(const FileOnDisk&) const = default;
};

std::map<std::string, FileOnDisk> files_on_disk(const std::vector<InstallFile>& files) {
  std::map<std::string, FileOnDisk> out;
  for (const auto& file : files) {
    struct stat st {};
    EXPECT_EQ(::lstat(file.path.c_str(), &st), 0) << file.path;
    out[file.path.string()] = {read_file(file.path), st.st_mode & 07777, st.st_uid, st.st_gid};
  }
  return out;
}

void PrintTo(const FileOnDisk& f, std::ostream* out) {
  *out << std::oct << f.mode << std::dec << " " << f.owner << ":" << f.group << " "
       << f.content.size() << " bytes";
}

void rollback_keeps_old_certificate_served(
    XmppServer& server, const std::string& domain,
    std::function<void(const std::vector<InstallFile>&, const StoredVersion&)> damage,
    const std::function<std::string(bool)>& served_fingerprint, const fs::path& state_dir) {
  StateDirStore store(state_dir);
  LocalCa ca(LocalCa::dir_in(state_dir));
  CertificateRequest request;
  request.name = domain;
  request.domains = {domain};
  request.install = InstallTarget{server.install_settings()["plugin"], server.install_settings()};
  request.install->settings.erase("plugin");
  auto plugin = std::make_unique<DamagingPlugin>(unwrapped_server_plugin(*request.install),
                                                 std::move(damage));
  CertificateRecord v1 = enroll_certificate(store, request, ca, plugin.get(), std::time(nullptr));
  ASSERT_EQ(v1.current_version, 1);
  ASSERT_EQ(served_fingerprint(false), v1.certificate.sha256_fingerprint) << server.log();
  const std::vector<InstallFile> files = plugin->files_for(store.version(domain, 1));
  const std::map<std::string, FileOnDisk> v1_on_disk = files_on_disk(files);

  plugin->armed = true;
  try {
    enroll_certificate(store, request, ca, plugin.get(), std::time(nullptr));
    FAIL() << "a damaged install must fail";
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("previous certificate v1 restored and served"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(served_fingerprint(false), v1.certificate.sha256_fingerprint) << server.log();
  EXPECT_EQ(served_fingerprint(true), v1.certificate.sha256_fingerprint) << server.log();
  EXPECT_EQ(files_on_disk(files), v1_on_disk) << "v1's files are back, byte for byte, as owned";
  EXPECT_EQ(store.load(domain)->current_version, 1);
}

// The installed key no longer belongs to the certificate.
void swap_in_foreign_key(const std::vector<InstallFile>& files, const StoredVersion& version) {
  std::string foreign = private_key_pem(generate_private_key(kDefaultKeyType).get());
  for (const auto& file : files) {
    if (file.content == FileContent::key)
      write_file_atomically(file.path, foreign, FileOwnership{0644, std::nullopt, std::nullopt});
    if (file.content == FileContent::combined)
      write_file_atomically(file.path, foreign + read_file(version.fullchain_path()),
                            FileOwnership{0644, std::nullopt, std::nullopt});
  }
}

// The daemon's user can no longer read the key.
void make_key_unreadable(const std::vector<InstallFile>& files, const StoredVersion&) {
  for (const auto& file : files)
    if (file.content == FileContent::key || file.content == FileContent::combined) {
      ::chown(file.path.c_str(), 0, 0);
      fs::permissions(file.path, fs::perms(0600));
    }
}

TEST_P(ServerPluginTest, MismatchedNewKeyIsRolledBackAndTheOldCertificateStaysServed) {
  rollback_keeps_old_certificate_served(
      *server_, GetParam().domain, swap_in_foreign_key,
      [&](bool s2s) { return served_fingerprint(s2s); }, state_ / "state");
}

TEST_P(ServerPluginTest, UnreadableNewKeyIsRolledBackAndTheOldCertificateStaysServed) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the server must run as another user";
  rollback_keeps_old_certificate_served(
      *server_, GetParam().domain, make_key_unreadable,
      [&](bool s2s) { return served_fingerprint(s2s); }, state_ / "state");
}

INSTANTIATE_TEST_SUITE_P(RealServers, ServerPluginTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.plugin); });

}  // namespace
}  // namespace xmppcert::testing
