#include "tests/integration/pebble_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "engine/csr.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "plugins/issuers/local/local_ca.h"

namespace xmppcert::testing {
std::vector<std::string> as_user(const std::string& user, const std::string& group) {
  if (::geteuid() != 0) return {};
  return {"setpriv", "--reuid=" + user, "--regid=" + group, "--clear-groups"};
}

pid_t spawn_unprivileged(std::vector<std::string> argv,
                         const std::map<std::string, std::string>& env,
                         const std::filesystem::path& log, const std::string& user,
                         const std::string& group) {
  auto prefix = as_user(user, group);
  argv.insert(argv.begin(), prefix.begin(), prefix.end());
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    FILE* out = std::fopen(log.c_str(), "w");
    if (out) {
      ::dup2(fileno(out), 1);
      ::dup2(fileno(out), 2);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

static bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return open;
}

void start_on_free_port(int& port, const std::function<void()>& start,
                        const std::function<void()>& stop) {
  for (int attempt = 1;; ++attempt) {
    port = free_port();
    try {
      start();
      return;
    } catch (const std::runtime_error&) {
      stop();
      if (attempt == 3) throw;
    }
  }
}

void wait_for_port(int port, const std::string& what, pid_t owner, std::chrono::seconds limit) {
  auto exited = [&] { return owner > 0 && ::waitpid(owner, nullptr, WNOHANG) == owner; };
  eventually([&] { return exited() || port_open(port); }, limit, std::chrono::milliseconds(50));
  // Someone listens; make sure it is `owner`, which exits when it cannot bind (another test's
  // server took the port between free_port() and its bind): it has 100 ms to show it.
  if (!exited() && port_open(port) &&
      !eventually(exited, std::chrono::milliseconds(100), std::chrono::milliseconds(20)))
    return;
  throw std::runtime_error(what + " did not start listening on 127.0.0.1:" + std::to_string(port));
}

void stop_process(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(-pid, SIGTERM);
  if (eventually([&] { return ::waitpid(pid, nullptr, WNOHANG) == pid; }, std::chrono::seconds(2),
                 std::chrono::milliseconds(20))) {
    ::kill(-pid, SIGKILL);  // what the leader left behind in its group
    pid = -1;
    return;
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  pid = -1;
}

int free_port() {
  int port = 0;
  ::close(listen_on_loopback(port));
  return port;
}

bool Pebble::available() {
  return ::access("/usr/bin/pebble", X_OK) == 0 &&
         ::access("/usr/bin/pebble-challtestsrv", X_OK) == 0;
}

Pebble::Pebble(PebbleOptions options) {
  listen_port_ = free_port();
  http01_port_ = free_port();
  tls_port_ = free_port();
  dns_port_ = free_port();
  challtestsrv_port_ = free_port();
  management_port_ = free_port();

  // pebble's HTTPS certificate, for "localhost", from a CA made here.
  LocalCa ca(dir_ / "https-ca");
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509ReqPtr csr = build_csr(key.get(), XmppIdentities{{"localhost"}, {}, {}});
  IssuedCertificate https = ca.issue({"localhost", {}, csr.get(), std::chrono::hours(24)});
  write_file_atomically(dir_ / "https-ca.pem", https.chain_pem, with_mode(0644));
  write_file_atomically(dir_ / "pebble.crt", https.cert_pem, with_mode(0644));
  write_file_atomically(dir_ / "pebble.key", private_key_pem(key.get()), with_mode(0644));
  write_config(options);

  // A port free_port() returned can be taken by a parallel test before our server binds it:
  // then the server exits and we start both again on fresh ports.
  for (int attempt = 1;; ++attempt) {
    try {
      start_servers(options);
      return;
    } catch (const std::runtime_error&) {
      stop_process(pebble_);
      stop_process(challtestsrv_);
      if (attempt == 3) throw;
      listen_port_ = free_port();
      management_port_ = free_port();
      dns_port_ = free_port();
      challtestsrv_port_ = free_port();
      write_config(options);
    }
  }
}

void Pebble::write_config(const PebbleOptions& options) {
  std::string eab =
      options.eab_kid.empty()
          ? "\"externalAccountBindingRequired\": false"
          : "\"externalAccountBindingRequired\": true, \"externalAccountMACKeys\": {\"" +
                options.eab_kid + "\": \"" + options.eab_hmac + "\"}";
  write_text(
      dir_ / "pebble.json",
      "{\"pebble\": {\"listenAddress\": \"127.0.0.1:" + std::to_string(listen_port_) +
          "\", \"managementListenAddress\": \"127.0.0.1:" + std::to_string(management_port_) +
          "\", \"certificate\": \"" + (dir_ / "pebble.crt").string() + "\", \"privateKey\": \"" +
          (dir_ / "pebble.key").string() + "\", \"httpPort\": " + std::to_string(http01_port_) +
          ", \"tlsPort\": " + std::to_string(tls_port_) + ", \"ocspResponderURL\": \"\", " + eab +
          "}}\n");
}

void Pebble::start_servers(const PebbleOptions& options) {
  challtestsrv_ = spawn_unprivileged(
      {"pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01",
       "127.0.0.1:" + std::to_string(dns_port_), "-http01", "", "-https01", "", "-tlsalpn01", "",
       "-management", "127.0.0.1:" + std::to_string(challtestsrv_port_)},
      {}, dir_ / "challtestsrv.log");
  wait_for_port(challtestsrv_port_, "pebble-challtestsrv", challtestsrv_);
  pebble_ = spawn_unprivileged(
      {"pebble", "-config", (dir_ / "pebble.json").string(), "-dnsserver",
       "127.0.0.1:" + std::to_string(options.dns_port ? options.dns_port : dns_port_)},
      {{"PEBBLE_VA_NOSLEEP", "1"},
       {"PEBBLE_WFE_NONCEREJECT", std::to_string(options.nonce_reject_percent)},
       {"PEBBLE_AUTHZREUSE", "0"},
       {"PEBBLE_ALTERNATE_ROOTS", std::to_string(options.alternate_roots)}},
      dir_ / "pebble.log");
  wait_for_port(listen_port_, "pebble", pebble_);
  wait_for_port(management_port_, "pebble's management API", pebble_);
}

Pebble::~Pebble() {
  stop_process(pebble_);
  stop_process(challtestsrv_);
}

void Pebble::stop_pebble() { stop_process(pebble_); }

std::string Pebble::directory_url() const {
  return "https://localhost:" + std::to_string(listen_port_) + "/dir";
}

std::string Pebble::root_url(int index) const {
  return "https://localhost:" + std::to_string(management_port_) + "/roots/" +
         std::to_string(index);
}

std::string Pebble::challtestsrv_url() const {
  return "http://127.0.0.1:" + std::to_string(challtestsrv_port_);
}

}  // namespace xmppcert::testing
