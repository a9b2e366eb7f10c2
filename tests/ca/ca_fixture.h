// Starts the built xmppcert-ca (XMPPCERT_CA_BINARY) on a free 127.0.0.1 port with its state
// in a temp dir: `init --hostname 127.0.0.1`, then `serve`, validating http-01 and
// tls-alpn-01 against loopback ports the test names and resolving through a BIND of its own
// that answers 127.0.0.1 for every name under example.test (and, with a TSIG secret, takes
// dynamic updates for dns-01). Stops it in the destructor.
#pragma once

#include <sys/types.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "tests/ca/postgres_server.h"
#include "tests/ca/softhsm_token.h"
#include "tests/integration/bind_server.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {

// Where the CA keeps its records: the tests that touch storage run against both.
enum class Backend { kSqlite, kPostgres };
std::string backend_name(Backend backend);  // "SQLite" | "PostgreSQL", for test names
inline void PrintTo(Backend backend, std::ostream* out) { *out << backend_name(backend); }
// Why a test on `backend` cannot run here ("" when it can).
std::string backend_missing(Backend backend);

struct FoundationCaOptions {
  Backend backend = Backend::kSqlite;
  PostgresServer* postgres = nullptr;  // kPostgres: this server (nullptr: the shared one)
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
  // The CA's keys made in a SoftHSM2 token of the test's own (init --pkcs11-*), not in files.
  bool pkcs11_token = false;
};

class FoundationCa {
 public:
  static bool available();  // the binary is built and BIND is installed
  explicit FoundationCa(FoundationCaOptions options = {});
  ~FoundationCa();

  std::string directory_url() const;
  std::string root_file() const { return (dir_ / "ca" / "root.pem").string(); }
  // The root's SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it: the pin
  // an admin hands out (--acme-root-sha256). Throws when openssl fails.
  std::string root_sha256() const;
  std::string state_dir() const { return (dir_ / "ca").string(); }
  int http01_port() const { return http01_port_; }
  int tls_alpn01_port() const { return tls_port_; }
  int dns_port() const { return bind_->port(); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const TempDir& dir() const { return dir_; }
  std::string log() const;
  std::string init_output() const { return init_output_; }
  // The token holding the CA's keys (pkcs11_token), else nullptr.
  const SoftHsmToken* token() const { return token_.get(); }
  // `xmppcert-ca args`, with the token's environment when the CA has one.
  ProcessResult run_ca(std::vector<std::string> args) const;
  // "--config FILE" when the CA has a config file (always with PostgreSQL), for the
  // operator commands that must find the same storage as serve.
  std::vector<std::string> config_args() const;
  // The first column of `query`'s rows joined by "\n", on the CA's database of either backend.
  std::string sql(const std::string& query) const;
  // With PostgreSQL: drops the CA's database and creates it again empty under the same name
  // (a restore's target); nothing with SQLite.
  void recreate_database();
  // SIGKILL to the CA, as a crash or a power cut would (no shutdown code runs); start() then
  // serves again on the same state dir, port and validation ports.
  void kill_hard();
  void start();
  // From now on the CA's keys are in `token` (the test moved them there): start() and run_ca
  // give the CA its environment.
  void use_token(std::unique_ptr<SoftHsmToken> token) { token_ = std::move(token); }
  // Another `serve` on the same state dir and storage, on a port of its own (stopped in the
  // destructor); returns its port. With PostgreSQL: a second instance on one database.
  int start_another_instance();

 private:
  TempDir dir_;
  std::unique_ptr<BindServer> bind_;
  std::unique_ptr<SoftHsmToken> token_;
  std::string init_output_;
  std::string hostname_;
  std::string listen_address_;
  int port_ = 0;
  int http01_port_ = 0;
  int tls_port_ = 0;
  std::vector<std::string> serve_args_;  // after --state-dir and --listen
  std::string config_file_;
  PostgresServer* postgres_ = nullptr;  // set with PostgreSQL
  std::string conninfo_;
  pid_t pid_ = -1;
  std::vector<pid_t> others_;
};

// Runs the built xmppcert-ca with arguments.
ProcessResult run_xmppcert_ca(std::vector<std::string> args);

}  // namespace xmppcert::testing
