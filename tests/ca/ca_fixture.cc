#include "tests/ca/ca_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/fs.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {

std::string backend_name(Backend backend) {
  return backend == Backend::kPostgres ? "PostgreSQL" : "SQLite";
}

std::string backend_missing(Backend backend) {
  if (backend == Backend::kPostgres && !PostgresServer::available())
    return PostgresServer::kMissing;
  return "";
}

ProcessResult run_xmppcert_ca(std::vector<std::string> args) {
  args.insert(args.begin(), XMPPCERT_CA_BINARY);
  return run_process(args);
}

bool FoundationCa::available() {
  return ::access(XMPPCERT_CA_BINARY, X_OK) == 0 && BindServer::available();
}

FoundationCa::FoundationCa(FoundationCaOptions options)
    : hostname_(options.hostname), listen_address_(options.listen_address) {
  bind_ = std::make_unique<BindServer>(BindOptions{.port = options.bind_port,
                                                   .records = options.bind_records,
                                                   .tsig_secret = options.bind_tsig_secret,
                                                   .also_listen_on = options.bind_also_listen_on});
  nlohmann::json config = options.config_json.empty() ? nlohmann::json::object()
                                                      : nlohmann::json::parse(options.config_json);
  if (options.backend == Backend::kPostgres) {
    postgres_ = options.postgres ? options.postgres : &PostgresServer::shared();
    conninfo_ = postgres_->create_database();
    config["storage"] = {{"postgresql", conninfo_}, {"password_file", postgres_->password_file()}};
  }
  // The test hosts live on loopback and in 192.0.2.0/24 (the federation's namespaces):
  // networks a CA refuses to validate against unless its config lists them.
  if (!config.contains("validation_networks"))
    config["validation_networks"] = {"127.0.0.0/8", "::1/128", "192.0.2.0/24"};
  {
    config_file_ = (dir_ / "ca-config.json").string();
    write_text(config_file_, config.dump(2));
  }
  std::vector<std::string> init{"init", "--state-dir", state_dir(), "--hostname", hostname_};
  if (!config_file_.empty()) {
    init.push_back("--config");
    init.push_back(config_file_);
  }
  for (const auto& domain : options.permitted_domains) {
    init.push_back("--permitted-domain");
    init.push_back(domain);
  }
  if (options.pkcs11_token) {
    token_ = std::make_unique<SoftHsmToken>();
    auto flags = token_->init_flags();
    init.insert(init.end(), flags.begin(), flags.end());
  }
  ProcessResult made = run_ca(init);
  if (made.exit_code != 0) throw std::runtime_error("xmppcert-ca init: " + made.err);
  init_output_ = made.out;
  http01_port_ = options.http01_port ? options.http01_port : free_port();
  tls_port_ = free_port();
  serve_args_ = {"--validation-http-port",
                 std::to_string(http01_port_),
                 "--validation-tls-port",
                 std::to_string(tls_port_),
                 "--resolver",
                 "127.0.0.1:" + std::to_string(bind_->port())};
  serve_args_.insert(serve_args_.end(), options.serve_args.begin(), options.serve_args.end());
  serve_args_.push_back("--config");
  serve_args_.push_back(config_file_);
  // A free port can be taken by a parallel test before the CA binds it: try again.
  start_on_free_port(
      port_, [this] { start(); }, [this] { stop_process(pid_); });
}

void FoundationCa::start() {
  std::vector<std::string> argv{XMPPCERT_CA_BINARY, "serve",
                                "--state-dir",      state_dir(),
                                "--listen",         listen_address_ + ":" + std::to_string(port_)};
  argv.insert(argv.end(), serve_args_.begin(), serve_args_.end());
  pid_ = spawn_unprivileged(argv,
                            token_ ? token_->environment() : std::map<std::string, std::string>{},
                            dir_ / "ca.log", "root", "root");
  wait_for_port(port_, "xmppcert-ca", pid_);
}

void FoundationCa::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int FoundationCa::start_another_instance() {
  int port = free_port();
  std::vector<std::string> argv{XMPPCERT_CA_BINARY, "serve",
                                "--state-dir",      state_dir(),
                                "--listen",         listen_address_ + ":" + std::to_string(port)};
  argv.insert(argv.end(), serve_args_.begin(), serve_args_.end());
  others_.push_back(spawn_unprivileged(
      argv, token_ ? token_->environment() : std::map<std::string, std::string>{},
      dir_ / ("ca-" + std::to_string(others_.size() + 2) + ".log"), "root", "root"));
  wait_for_port(port, "xmppcert-ca", others_.back());
  return port;
}

FoundationCa::~FoundationCa() {
  for (pid_t& other : others_) stop_process(other);
  stop_process(pid_);
}

ProcessResult FoundationCa::run_ca(std::vector<std::string> args) const {
  if (!token_) return run_xmppcert_ca(std::move(args));
  args.insert(args.begin(), XMPPCERT_CA_BINARY);
  return token_->run(args);
}

std::string FoundationCa::root_sha256() const {
  ProcessResult fingerprint = run_process(
      {"openssl", "x509", "-in", root_file(), "-noout", "-fingerprint", "-sha256"});
  if (fingerprint.exit_code != 0)
    throw std::runtime_error("openssl x509 -fingerprint " + root_file() + ": " + fingerprint.err);
  std::string pin = fingerprint.out.substr(fingerprint.out.find('=') + 1);
  pin.erase(pin.find_last_not_of('\n') + 1);
  return pin;
}

std::string FoundationCa::directory_url() const {
  return "https://" + hostname_ + ":" + std::to_string(port_) + "/directory";
}

std::vector<std::string> FoundationCa::config_args() const {
  if (config_file_.empty()) return {};
  return {"--config", config_file_};
}

std::string FoundationCa::sql(const std::string& query) const {
  if (postgres_) return postgres_->query(conninfo_, query);
  ProcessResult r = run_process(
      {"sqlite3", "-batch", (std::filesystem::path(state_dir()) / "ca.db").string(), query});
  if (r.exit_code != 0) throw std::runtime_error("sqlite3 " + query + ": " + r.err);
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

void FoundationCa::recreate_database() {
  if (postgres_) postgres_->recreate_database(conninfo_);
}

std::string FoundationCa::log() const {
  try {
    return read_file(dir_ / "ca.log");
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace xmppcert::testing
