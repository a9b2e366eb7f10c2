#include "tests/ca/postgres_server.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "engine/fs.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;
constexpr const char* kUser = "nobody";
constexpr const char* kGroup = "nogroup";
constexpr const char* kPassword = "test-only-db-password";

void give_to_server_user(const fs::path& path) {
  if (::geteuid() != 0) return;
  const passwd* user = ::getpwnam(kUser);
  if (!user || ::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0)
    throw std::runtime_error("chown " + path.string() + " to " + kUser);
}

std::string connection(int port, const std::string& database) {
  return "host=127.0.0.1 port=" + std::to_string(port) + " user=xmppcert dbname=" + database;
}

}  // namespace

std::string PostgresServer::bin_dir() {
  std::string best;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
    fs::path bin = entry.path() / "bin";
    if (::access((bin / "initdb").c_str(), X_OK) == 0 &&
        ::access((bin / "postgres").c_str(), X_OK) == 0 && bin.string() > best)
      best = bin.string();
  }
  return best;
}

PostgresServer& PostgresServer::shared() {
  static PostgresServer server;
  return server;
}

PostgresServer::PostgresServer() {
  if (!available()) throw std::runtime_error(kMissing);
  fs::path data = dir_.path() / "data";
  fs::create_directories(data);
  fs::permissions(data, fs::perms(0700));
  give_to_server_user(data);
  fs::create_directories(dir_.path() / "socket");
  give_to_server_user(dir_.path() / "socket");
  write_text(dir_.path() / "initdb-password", std::string(kPassword) + "\n");
  give_to_server_user(dir_.path() / "initdb-password");
  write_text(dir_.path() / "ca-password", std::string(kPassword) + "\n");
  fs::permissions(dir_.path() / "ca-password", fs::perms(0600));
  std::vector<std::string> initdb = as_user(kUser, kGroup);
  for (const std::string& arg :
       {bin_dir() + "/initdb", std::string("--pgdata"), data.string(), std::string("--username"),
        std::string("xmppcert"), "--pwfile=" + (dir_.path() / "initdb-password").string(),
        std::string("--auth=scram-sha-256"), std::string("--encoding=UTF8"),
        std::string("--no-sync")})
    initdb.push_back(arg);
  ProcessResult made = run_process(initdb);
  if (made.exit_code != 0) throw std::runtime_error("initdb: " + made.err + made.out);
  start_on_free_port(
      port_, [this] { start(); }, [this] { stop_process(pid_); });
}

void PostgresServer::start() {
  fs::path data = dir_.path() / "data";
  // fsync off: the tests kill the server, not the machine; the kernel keeps what it wrote.
  pid_ = spawn_unprivileged({bin_dir() + "/postgres", "-D", data.string(), "-p",
                             std::to_string(port_), "-c", "listen_addresses=127.0.0.1", "-c",
                             "unix_socket_directories=" + (dir_.path() / "socket").string(), "-c",
                             "fsync=off", "-c", "max_connections=200"},
                            {}, dir_.path() / "postgres.log", kUser, kGroup);
  wait_for_port(port_, "postgres", pid_);
  // The port opens before the server accepts logins (recovery after a kill): wait for one.
  bool accepts = eventually(
      [&] {
        PGconn* conn =
            PQconnectdb((connection(port_, "postgres") + " password=" + kPassword).c_str());
        bool ok = PQstatus(conn) == CONNECTION_OK;
        PQfinish(conn);
        return ok;
      },
      std::chrono::seconds(30));
  if (accepts) return;
  throw std::runtime_error("postgres on port " + std::to_string(port_) + " accepts no login");
}

PostgresServer::~PostgresServer() {
  if (pid_ > 0) ::kill(pid_, SIGINT);  // fast shutdown; stop_process kills what is left
  if (pid_ > 0 && eventually([&] { return ::waitpid(pid_, nullptr, WNOHANG) == pid_; },
                             std::chrono::seconds(5)))
    pid_ = -1;
  stop_process(pid_);
}

void PostgresServer::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string PostgresServer::password_file() const { return (dir_.path() / "ca-password").string(); }

std::string PostgresServer::create_database() {
  std::string name = "ca" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  query(connection(port_, "postgres"), "CREATE DATABASE " + name);
  return connection(port_, name);
}

std::string PostgresServer::query(const std::string& conninfo, const std::string& sql) const {
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(
      PQconnectdb((conninfo + " password=" + kPassword).c_str()), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error("connect to " + conninfo + ": " + PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQexec(conn.get(), sql.c_str()), PQclear);
  auto status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    throw std::runtime_error(sql + ": " + PQerrorMessage(conn.get()));
  std::string out;
  for (int row = 0; row < PQntuples(result.get()); ++row)
    out += (row ? "\n" : "") + std::string(PQgetvalue(result.get(), row, 0));
  return out;
}

}  // namespace xmppcert::testing
