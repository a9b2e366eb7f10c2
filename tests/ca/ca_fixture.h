// Starts the built xmppcert-ca (XMPPCERT_CA_BINARY) on a free 127.0.0.1 port with its state
// in a temp dir: `init --hostname 127.0.0.1`, then `serve`, validating http-01 and
// tls-alpn-01 against loopback ports the test names and resolving through a BIND of its own
// that answers 127.0.0.1 for every name under example.test (and, with a TSIG secret, takes
// dynamic updates for dns-01). Stops it in the destructor.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/bind_server.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {

struct FoundationCaOptions {
  std::vector<std::string> permitted_domains;
  std::vector<std::string> serve_args;  // extra flags for `serve`
  std::string bind_records = "* IN A 127.0.0.1\n";
  std::string bind_tsig_secret;  // set: BIND takes RFC 2136 updates signed with this key
  // Written to a file and passed as --config, with "validation_networks" set to loopback and
  // 192.0.2.0/24 unless it names them itself.
  std::string config_json;
  // Reached from other network namespaces (foundation_federation_test): the name in the CA's
  // HTTPS certificate and directory URL, the address it listens on, BIND's port and address
  // besides 127.0.0.1, the port http-01 is validated on (0: a free one; a real host's: 80).
  std::string hostname = "127.0.0.1";
  std::string listen_address = "127.0.0.1";
  int bind_port = 0;
  std::string bind_also_listen_on;
  int http01_port = 0;
};

class FoundationCa {
 public:
  static bool available();  // the binary is built and BIND is installed
  explicit FoundationCa(FoundationCaOptions options = {});
  ~FoundationCa();

  std::string directory_url() const;
  std::string root_file() const { return (dir_ / "ca" / "root.pem").string(); }
  std::string state_dir() const { return (dir_ / "ca").string(); }
  int http01_port() const { return http01_port_; }
  int tls_alpn01_port() const { return tls_port_; }
  int dns_port() const { return bind_->port(); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const TempDir& dir() const { return dir_; }
  std::string log() const;
  // SIGKILL to the CA, as a crash or a power cut would (no shutdown code runs); start() then
  // serves again on the same state dir, port and validation ports.
  void kill_hard();
  void start();

 private:
  TempDir dir_;
  std::unique_ptr<BindServer> bind_;
  std::string hostname_;
  std::string listen_address_;
  int port_ = 0;
  int http01_port_ = 0;
  int tls_port_ = 0;
  std::vector<std::string> serve_args_;  // after --state-dir and --listen
  pid_t pid_ = -1;
};

// Runs the built xmppcert-ca with arguments.
ProcessResult run_xmppcert_ca(std::vector<std::string> args);

}  // namespace xmppcert::testing
