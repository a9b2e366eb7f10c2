// Starts Debian's pebble (Let's Encrypt's ACME test server) and pebble-challtestsrv (its DNS)
// on free 127.0.0.1 ports in a temp dir, as an unprivileged user when the tests run as root,
// with a loopback CA made at test time for pebble's HTTPS. Stops both in the destructor.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

int free_port();

// Starts a server on a free loopback port: `start` binds `port`; when another test took the
// port between free_port() and the bind, `stop` cleans up and a new port is tried, three
// times in all (then start's error is thrown).
void start_on_free_port(int& port, const std::function<void()>& start,
                        const std::function<void()>& stop);

struct PebbleOptions {
  int nonce_reject_percent = 0;
  int alternate_roots = 0;
  int dns_port = 0;
  std::string eab_kid;   // set: pebble requires external account binding with this key
  std::string eab_hmac;  // base64url  // the DNS server pebble validates against; 0: challtestsrv's
};

// The argv prefix that runs a command as `user` (its own group) when root; empty otherwise.
std::vector<std::string> as_user(const std::string& user, const std::string& group);

// Starts argv in its own process group as an unprivileged user when root (nobody, or
// `user`), with output to `log`; returns its pid.
pid_t spawn_unprivileged(std::vector<std::string> argv,
                         const std::map<std::string, std::string>& env,
                         const std::filesystem::path& log, const std::string& user = "nobody",
                         const std::string& group = "nogroup");
// SIGTERM to the process group, SIGKILL after 2 s; reaps the leader.
void stop_process(pid_t& pid);
// Waits up to 10 s for a listener on 127.0.0.1:port; with `owner`, also that the process
// is still running after the port opened (else the listener is someone else's).
// Up to `limit` (Erlang's ejabberd needs more than 10 s on a loaded 2-core machine).
void wait_for_port(int port, const std::string& what, pid_t owner = -1,
                   std::chrono::seconds limit = std::chrono::seconds(10));

class Pebble {
 public:
  static bool available();
  explicit Pebble(PebbleOptions options = {});
  ~Pebble();

  std::string directory_url() const;
  std::string trust_file() const { return (dir_ / "https-ca.pem").string(); }
  int http01_port() const { return http01_port_; }
  int tls_alpn01_port() const { return tls_port_; }
  std::string challtestsrv_url() const;   // management API (set-txt / clear-txt)
  std::string root_url(int index) const;  // pebble's management API: its root number `index`
  const TempDir& dir() const { return dir_; }
  void stop_pebble();
  pid_t pebble_pid() const { return pebble_; }

 private:
  void write_config(const PebbleOptions& options);
  void start_servers(const PebbleOptions& options);

  TempDir dir_;
  int listen_port_ = 0;
  int http01_port_ = 0;
  int tls_port_ = 0;
  int dns_port_ = 0;
  int challtestsrv_port_ = 0;
  int management_port_ = 0;
  pid_t pebble_ = -1;
  pid_t challtestsrv_ = -1;
};

}  // namespace xmppcert::testing
