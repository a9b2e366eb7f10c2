#include "tests/ca/postgres_server.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

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

// The processes whose parent is `parent` (from /proc: PostgreSQL's backends).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, the last ')' ends it.
    size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == parent) out.push_back(std::stoi(name));
  }
  return out;
}

// Running, or exiting and not yet a zombie.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z' &&
         line[close + 2] != 'X';
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
  // Every backend is a session leader of its own (PostgreSQL's InitPostmasterChild calls
  // setsid), so the postmaster's process group is the postmaster alone: a backend left alive
  // kept serving the connection it had until it noticed its parent's death, and the CA once
  // answered 201 "after" the kill. Stopped, the postmaster forks nothing more; then its
  // children die, then it.
  ::kill(pid_, SIGSTOP);
  std::vector<pid_t> children = children_of(pid_);
  for (pid_t child : children) ::kill(child, SIGKILL);
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  // Their sockets close when they have exited (a zombie holds none).
  bool gone = eventually(
      [&] {
        return std::all_of(children.begin(), children.end(),
                           [](pid_t child) { return !alive(child); });
      },
      std::chrono::seconds(10));
  if (!gone) throw std::runtime_error("kill -9 of postgres: a backend outlived it");
}

std::string PostgresServer::password_file() const { return (dir_.path() / "ca-password").string(); }

std::string PostgresServer::password() const { return kPassword; }

std::string PostgresServer::create_database() {
  std::string name = "ca" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  query(connection(port_, "postgres"), "CREATE DATABASE " + name);
  return connection(port_, name);
}

void PostgresServer::recreate_database(const std::string& conninfo) {
  std::string name = conninfo.substr(conninfo.rfind("dbname=") + 7);
  name = name.substr(0, name.find(' '));
  query(connection(port_, "postgres"), "DROP DATABASE " + name + " WITH (FORCE)");
  query(connection(port_, "postgres"), "CREATE DATABASE " + name);
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
