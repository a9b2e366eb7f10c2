#include "tests/integration/xmpp_servers.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void chown_to_test_user(const fs::path& path) {
  if (::geteuid() != 0) return;
  const passwd* user = ::getpwnam(test_user().user.c_str());
  if (!user || ::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0)
    throw std::runtime_error("chown " + path.string() + " to " + test_user().user);
}

bool installed(const char* program) {
  return run_process({"sh", "-c", std::string("command -v ") + program}).exit_code == 0;
}

}  // namespace

// A key as a server's package leaves it: 0640, root and the daemon's group.
void readable_by_test_group(const fs::path& key) {
  fs::permissions(key, fs::perms(0640));
  if (::geteuid() != 0) return;
  const group* g = ::getgrnam(test_user().group.c_str());
  if (!g || ::chown(key.c_str(), 0, g->gr_gid) != 0)
    throw std::runtime_error("chown " + key.string());
}

void write_placeholder_certificate(const fs::path& key, const fs::path& cert,
                                   const std::string& domain) {
  ProcessResult made = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.string(),
                                    "-out", cert.string(), "-subj", "/CN=" + domain, "-addext",
                                    "subjectAltName=DNS:" + domain, "-days", "2"});
  if (made.exit_code != 0) throw std::runtime_error("openssl req: " + made.err);
  readable_by_test_group(key);
}

// A combined key + certificate PEM, as ejabberd and jabberd2 read it.
void write_placeholder_combined(const fs::path& pem, const std::string& domain) {
  fs::path key = pem.string() + ".key";
  fs::path cert = pem.string() + ".crt";
  write_placeholder_certificate(key, cert, domain);
  write_text(pem, read_all(key) + read_all(cert));
  fs::remove(key);
  fs::remove(cert);
  readable_by_test_group(pem);
}

const TestUser& test_user() {
  static const TestUser user = [] {
    if (::geteuid() != 0) {
      const passwd* me = ::getpwuid(::geteuid());
      const group* my_group = ::getgrgid(::getegid());
      return TestUser{me ? me->pw_name : "", my_group ? my_group->gr_name : ""};
    }
    if (!::getpwnam("xmppcert-test"))
      run_process({"useradd", "--system", "--user-group", "--no-create-home", "--home-dir",
                   "/nonexistent", "--shell", "/usr/sbin/nologin", "xmppcert-test"});
    return TestUser{"xmppcert-test", "xmppcert-test"};
  }();
  return user;
}

bool XmppServer::logged_eventually(const std::string& line) const {
  return eventually([&] { return log().find(line) != std::string::npos; },
                    std::chrono::seconds(10));
}

XmppServer::XmppServer() : data_(dir_ / "data"), c2s_port_(free_port()), s2s_port_(free_port()) {
  fs::create_directories(data_);
  fs::create_directories(dir_ / "certs");
  chown_to_test_user(data_);
}

// --- prosody -------------------------------------------------------------------------------

bool ProsodyServer::available() { return installed("prosody"); }

ProsodyServer::ProsodyServer(const std::string& domain, const std::string& extra_config,
                             const std::string& s2s_ip) {
  const std::string d = data_.string();
  if (!s2s_ip.empty()) s2s_port_ = 5269;
  write_text(config(),
             "-- written by the xmppcert tests\n"
             "data_path = \"" +
                 d +
                 "\"\n"
                 "pidfile = \"" +
                 d +
                 "/prosody.pid\"\n"
                 "prosody_user = \"" +
                 test_user().user +
                 "\"\n"
                 "prosody_group = \"" +
                 test_user().group +
                 "\"\n"
                 "log = { debug = \"" +
                 d +
                 "/prosody.log\" }\n"
                 "c2s_ports = { " +
                 std::to_string(c2s_port_) +
                 " }\n"
                 "s2s_ports = { " +
                 std::to_string(s2s_port_) +
                 " }\n"
                 "c2s_direct_tls_ports = {}\n"
                 "interfaces = { \"127.0.0.1\" }\n" +
                 (s2s_ip.empty() ? "" : "s2s_interfaces = { \"" + s2s_ip + "\" }\n") +
                 "certificates = \"certs\"\n"
                 "modules_enabled = { \"roster\"; \"saslauth\"; \"tls\"; \"disco\"; }\n"
                 "authentication = \"internal_hashed\"\n" +
                 extra_config + "VirtualHost \"" + domain +
                 "\"\n"
                 "Component \"conference." +
                 domain + "\" \"muc\"\n");
  write_placeholder_certificate(dir() / "certs" / (domain + ".key"),
                                dir() / "certs" / (domain + ".crt"), domain);
  start();
}

void ProsodyServer::start() {
  pid_ = spawn_unprivileged({"prosody", "--config", config().string(), "-F"}, {},
                            dir() / "prosody.out", test_user().user, test_user().group);
  wait_for_port(c2s_port_, "prosody", pid_);
}

bool ProsodyServer::running() {
  if (pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == pid_) pid_ = -1;
  return pid_ > 0;
}

// Bounded retries: under a loaded CI machine the old process may hold the port a moment
// after it exited, or prosody may take longer than one wait_for_port to come up.
void ProsodyServer::restart() {
  for (int attempt = 1;; ++attempt) {
    stop_process(pid_);
    try {
      start();
      return;
    } catch (const std::runtime_error& e) {
      if (attempt == 3) {
        std::string out = log();
        if (out.size() > 4000) out = out.substr(out.size() - 4000);
        throw std::runtime_error(std::string(e.what()) + " after 3 starts; its log ends:\n" + out);
      }
      // Deliberate pause, not a wait for a condition: the daemon failed to start (a port
      // taken between free_port() and its bind, seen with ejabberd's epmd); try again later.
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

std::vector<std::string> ProsodyServer::ctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"prosodyctl", "--config", config().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

ProsodyServer::~ProsodyServer() { stop_process(pid_); }

nlohmann::json ProsodyServer::install_settings() const {
  return {{"plugin", "prosody"},
          {"config", config().string()},
          {"group", test_user().group},
          {"verify", {{"wait", "10s"}}}};
}

std::string ProsodyServer::log() const {
  return read_all(data_ / "prosody.log") + read_all(dir() / "prosody.out");
}

// --- ejabberd ------------------------------------------------------------------------------

bool EjabberdServer::available() { return installed("ejabberdctl"); }

EjabberdServer::EjabberdServer(const std::string& domain, const std::string& extra_config,
                               const std::string& s2s_ip)
    : epmd_port_(free_port()),
      node_("xmppcerttest" + std::to_string(::getpid()) + "_" + std::to_string(c2s_port_) +
            "@localhost") {
  // A copy of ejabberdctl without its check that only root or "ejabberd" run it.
  std::string ctl = read_all("/usr/sbin/ejabberdctl");
  size_t at = ctl.find("INSTALLUSER=ejabberd");
  if (at != std::string::npos) ctl.replace(at, 20, "INSTALLUSER=");
  write_text(dir() / "ejabberdctl", ctl);
  fs::permissions(dir() / "ejabberdctl", fs::perms(0755));
  write_text(dir() / "inetrc", "{lookup,[\"file\",\"native\"]}.\n{hosts_file, \"/etc/hosts\"}.\n");
  fs::create_directories(data_ / "spool");
  fs::create_directories(data_ / "logs");
  chown_to_test_user(data_ / "spool");
  chown_to_test_user(data_ / "logs");
  std::string pem = (dir() / "certs" / (domain + ".pem")).string();
  if (!s2s_ip.empty()) s2s_port_ = 5269;
  write_text(config(),
             "# written by the xmppcert tests\n"
             "hosts:\n  - \"" +
                 domain +
                 "\"\n"
                 "loglevel: info\n"
                 "certfiles:\n  - \"" +
                 pem +
                 "\"\n"
                 "listen:\n"
                 "  - port: " +
                 std::to_string(c2s_port_) +
                 "\n"
                 "    ip: \"127.0.0.1\"\n"
                 "    module: ejabberd_c2s\n"
                 "    starttls: true\n"
                 "  - port: " +
                 std::to_string(s2s_port_) +
                 "\n"
                 "    ip: \"" +
                 (s2s_ip.empty() ? "127.0.0.1" : s2s_ip) +
                 "\"\n"
                 "    module: ejabberd_s2s_in\n" +
                 (extra_config.find("s2s_use_starttls") == std::string::npos
                      ? "s2s_use_starttls: optional\n"
                      : "") +
                 "auth_method: internal\n"
                 "default_db: mnesia\n" +
                 extra_config +
                 "modules:\n"
                 "  mod_disco: {}\n"
                 "  mod_muc:\n"
                 "    host: \"conference.@HOST@\"\n");
  write_placeholder_combined(pem, domain);
  std::vector<std::string> argv = ctl_args({"foreground"});
  pid_ = spawn_unprivileged(
      argv, {{"HOME", data_.string()}, {"ERL_EPMD_PORT", std::to_string(epmd_port_)}},
      dir() / "ejabberd.out", test_user().user, test_user().group);
  try {
    wait_for_port(c2s_port_, "ejabberd", -1, std::chrono::seconds(40));
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what() + ("\n" + log()));
  }
}

std::vector<std::string> EjabberdServer::ctl_args(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {(dir() / "ejabberdctl").string(),
                                   "--config-dir",
                                   dir().string(),
                                   "--node",
                                   node_,
                                   "--config",
                                   config().string(),
                                   "--spool",
                                   (data_ / "spool").string(),
                                   "--logs",
                                   (data_ / "logs").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> EjabberdServer::ctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = as_user(test_user().user, test_user().group);
  argv.insert(argv.end(),
              {"env", "HOME=" + data_.string(), "ERL_EPMD_PORT=" + std::to_string(epmd_port_)});
  auto rest = ctl_args(args);
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

EjabberdServer::~EjabberdServer() {
  run_process(ctl({"stop"}));
  if (eventually([&] { return ::waitpid(pid_, nullptr, WNOHANG) == pid_; }, std::chrono::seconds(5),
                 std::chrono::milliseconds(50)))
    pid_ = -1;
  stop_process(pid_);
  // The node is gone: its epmd would outlive the test.
  std::vector<std::string> kill_epmd = as_user(test_user().user, test_user().group);
  kill_epmd.insert(kill_epmd.end(),
                   {"env", "ERL_EPMD_PORT=" + std::to_string(epmd_port_), "epmd", "-kill"});
  run_process(kill_epmd);
}

nlohmann::json EjabberdServer::install_settings() const {
  return {{"plugin", "ejabberd"},
          {"config", config().string()},
          {"cert_dir", (dir() / "certs").string()},
          {"group", test_user().group},
          {"reload", ctl({"reload_config"})},
          {"verify", {{"wait", "10s"}}}};
}

std::string EjabberdServer::log() const {
  return read_all(data_ / "logs" / "ejabberd.log") + read_all(dir() / "ejabberd.out");
}

// --- jabberd2 ------------------------------------------------------------------------------

bool Jabberd2Server::available() { return installed("jabberd2-router"); }

Jabberd2Server::Jabberd2Server(const std::string& domain) {
  const std::string d = data_.string();
  const int router_port = free_port();
  const std::string pem = (dir() / "certs" / (domain + ".pem")).string();
  run_process({"sh", "-c",
               "zcat /usr/share/doc/jabberd2/db-setup.sqlite.gz | sqlite3 '" + d + "/db.sqlite'"});
  chown_to_test_user(data_ / "db.sqlite");
  const std::string router =
      "<router><ip>127.0.0.1</ip><port>" + std::to_string(router_port) +
      "</port><user>jabberd</user><pass>s3cret</pass><retry><init>20</init><lost>20</lost>"
      "<sleep>1</sleep></retry></router>";
  auto log_of = [&](const std::string& name) {
    return "<pidfile>" + d + "/" + name + ".pid</pidfile><log type='file'><file>" + d + "/" + name +
           ".log</file></log>";
  };
  write_text(dir() / "users.xml",
             "<users><user><name>jabberd</name><secret>s3cret</secret></user></users>\n");
  write_text(dir() / "router.xml",
             "<router><id>router</id>" + log_of("router") + "<local><ip>127.0.0.1</ip><port>" +
                 std::to_string(router_port) + "</port><users>" + (dir() / "users.xml").string() +
                 "</users><secret>s3cret</secret></local>"
                 "<aci><acl type='all'><user>jabberd</user></acl></aci></router>\n");
  write_text(dir() / "sm.xml",
             "<sm><id>sm</id>" + log_of("sm") + router + "<local><id>" + domain +
                 "</id></local><storage><path>/usr/lib/x86_64-linux-gnu/jabberd2</path>"
                 "<driver>sqlite</driver><sqlite><dbname>" +
                 d +
                 "/db.sqlite</dbname></sqlite>"
                 "</storage><modules><path>/usr/lib/x86_64-linux-gnu/jabberd2</path>"
                 "<chain id='in-sess'><module>session</module><module>deliver</module></chain>"
                 "<chain id='pkt-sm'><module>session</module></chain>"
                 "<chain id='pkt-router'><module>session</module></chain>"
                 "</modules></sm>\n");
  write_text(dir() / "c2s.xml",
             "<c2s><id>c2s</id>" + log_of("c2s") + router + "<local><id pemfile='" + pem + "'>" +
                 domain + "</id><ip>127.0.0.1</ip><port>" + std::to_string(c2s_port_) +
                 "</port></local><authreg><path>/usr/lib/x86_64-linux-gnu/jabberd2</path>"
                 "<module>sqlite</module><sqlite><dbname>" +
                 d +
                 "/db.sqlite</dbname></sqlite>"
                 "</authreg></c2s>\n");
  write_text(dir() / "s2s.xml", "<s2s><id>s2s</id>" + log_of("s2s") + router +
                                    "<local><ip>127.0.0.1</ip><port>" + std::to_string(s2s_port_) +
                                    "</port><pemfile>" + pem +
                                    "</pemfile><resolver>resolver</resolver></local></s2s>\n");
  write_placeholder_combined(pem, domain);
  pids_.push_back(spawn_unprivileged(component_argv("router", false), {}, dir() / "router.out",
                                     test_user().user, test_user().group));
  try {
    wait_for_port(router_port, "jabberd2 router");
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what() + ("\n" + read_all(dir() / "router.out") + log()));
  }
  for (const char* component : {"sm", "c2s", "s2s"})
    pids_.push_back(spawn_unprivileged(component_argv(component, false), {},
                                       dir() / (std::string(component) + ".out"), test_user().user,
                                       test_user().group));
  wait_for_port(c2s_port_, "jabberd2 c2s");
  wait_for_port(s2s_port_, "jabberd2 s2s");
}

std::vector<std::string> Jabberd2Server::component_argv(const std::string& component,
                                                        bool as_test_user) const {
  std::vector<std::string> argv;
  if (as_test_user) argv = as_user(test_user().user, test_user().group);
  argv.insert(argv.end(),
              {"/usr/sbin/jabberd2-" + component, "-c", (dir() / (component + ".xml")).string()});
  return argv;
}

Jabberd2Server::~Jabberd2Server() {
  // Restarted components run detached: stop them through their pid files first.
  for (const char* component : {"c2s", "s2s"}) {
    std::ifstream in(data_ / (std::string(component) + ".pid"));
    pid_t pid = 0;
    if (in >> pid && pid > 1) ::kill(pid, SIGTERM);
  }
  for (auto it = pids_.rbegin(); it != pids_.rend(); ++it) stop_process(*it);
}

nlohmann::json Jabberd2Server::install_settings() const {
  return {{"plugin", "jabberd2"},
          {"config", dir().string()},
          {"cert_dir", (dir() / "certs").string()},
          {"group", test_user().group},
          {"restart", {{"c2s", component_argv("c2s")}, {"s2s", component_argv("s2s")}}},
          {"verify", {{"wait", "15s"}}}};
}

std::string Jabberd2Server::log() const {
  std::string text;
  for (const char* name : {"router", "sm", "c2s", "s2s"})
    text += read_all(data_ / (std::string(name) + ".log"));
  return text;
}

}  // namespace xmppcert::testing
