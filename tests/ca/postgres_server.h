// A PostgreSQL server of the test's own: initdb into a temp dir and `postgres` on a free
// 127.0.0.1 port, both as nobody (PostgreSQL refuses to run as root), with password
// (SCRAM) authentication so that the CA's "password_file" is what lets it in. One server is
// shared by a test binary (shared()); every CA gets a database of its own on it. Tests that
// kill the server start their own.
#pragma once

#include <sys/types.h>

#include <string>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

class PostgresServer {
 public:
  // The folder of initdb and postgres (newest installed major version); "" when missing.
  static std::string bin_dir();
  static bool available() { return !bin_dir().empty(); }
  static constexpr const char* kMissing =
      "PostgreSQL server binaries (initdb, postgres) are not installed: apt-get install postgresql";
  static PostgresServer& shared();

  PostgresServer();
  ~PostgresServer();

  int port() const { return port_; }
  // A 0600 file holding the password, as the CA's "password_file" names it.
  std::string password_file() const;
  // The password that file holds (for a PostgresStorage a test opens itself).
  std::string password() const;
  // Creates a fresh database; returns its libpq connection string (without the password).
  std::string create_database();
  // Drops the database `conninfo` names (ending its connections) and creates it again empty:
  // what an operator's dropdb + createdb leave before a restore.
  void recreate_database(const std::string& conninfo);
  // The first column of each row of `sql` on `conninfo`'s database, joined by "\n".
  std::string query(const std::string& conninfo, const std::string& sql) const;
  // SIGKILL to the server and all its backends; start() then runs crash recovery.
  void kill_hard();
  void start();

 private:
  TempDir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int databases_ = 0;
};

}  // namespace xmppcert::testing
