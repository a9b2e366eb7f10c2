#include "ca/sa/database_backup.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "ca/sa/sqlite_storage.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/process.h"

namespace xmppcert::ca {
namespace {

using SqlitePtr = std::unique_ptr<sqlite3, int (*)(sqlite3*)>;

SqlitePtr open_sqlite(const std::filesystem::path& file, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  SqlitePtr owned(db, sqlite3_close);
  if (rc != SQLITE_OK)
    throw_operation_error("open database", file.string(),
                          db ? sqlite3_errmsg(db) : "out of memory");
  sqlite3_busy_timeout(db, 5000);
  return owned;
}

// A libpq passfile (host:port:db:user:password, '\' and ':' escaped) in a private temp
// folder, removed with this object: how pg_dump gets the password without argv or env.
class Passfile {
 public:
  explicit Passfile(const std::string& password) {
    if (password.empty()) return;
    std::string pattern = (std::filesystem::temp_directory_path() / "xmppcert-ca.XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
      throw_operation_error("create a temporary folder", pattern, errno_text(errno));
    folder_ = pattern;
    std::string escaped;
    for (char c : password) {
      if (c == '\\' || c == ':') escaped += '\\';
      escaped += c;
    }
    write_new_file(folder_ / "pgpass", "*:*:*:*:" + escaped + "\n", with_mode(0600));
  }
  ~Passfile() {
    std::error_code ignored;
    if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
  }
  Passfile(const Passfile&) = delete;
  Passfile& operator=(const Passfile&) = delete;

  // The connection string pg_dump and pg_restore get.
  std::string dbname(const std::string& conninfo) const {
    if (folder_.empty()) return conninfo;
    std::string file = (folder_ / "pgpass").string();
    if (!conninfo.starts_with("postgres://") && !conninfo.starts_with("postgresql://"))
      return conninfo + " passfile=" + file;
    return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + "passfile=" + file;
  }

 private:
  std::filesystem::path folder_;
};

std::string postgres_tool(const char* name) {
  try {
    return resolve_command(name);
  } catch (const OperationError&) {
    throw_operation_error("run", name,
                          "not installed (apt-get install postgresql-client), or in no folder of " +
                              std::string(kCommandPath));
  }
}

}  // namespace

void copy_sqlite_database(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (!create_private_database_file(to.string()))
    throw_operation_error("back up the database into", to.string(), "it exists already");
  SqlitePtr source = open_sqlite(from, SQLITE_OPEN_READONLY);
  SqlitePtr target = open_sqlite(to, SQLITE_OPEN_READWRITE);
  sqlite3_backup* backup = sqlite3_backup_init(target.get(), "main", source.get(), "main");
  if (!backup)
    throw_operation_error("back up the database", from.string() + " to " + to.string(),
                          sqlite3_errmsg(target.get()));
  // All pages in one step: one read transaction, so the copy is one consistent snapshot
  // (in WAL mode serve keeps writing meanwhile).
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);  // a writer's checkpoint
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE)
    throw_operation_error("back up the database", from.string() + " to " + to.string(),
                          sqlite3_errstr(rc));
}

void dump_postgres_database(const StorageConfig& storage, const std::filesystem::path& to) {
  if (!create_private_database_file(to.string()))
    throw_operation_error("back up the database into", to.string(), "it exists already");
  Passfile passfile(read_storage_password(storage));
  run_command_checked({postgres_tool("pg_dump"), "--format=custom", "--no-password",
                       "--file=" + to.string(), "--dbname=" + passfile.dbname(storage.postgresql)},
                      "back up the PostgreSQL database with pg_dump");
}

void restore_postgres_database(const StorageConfig& storage, const std::filesystem::path& from) {
  Passfile passfile(read_storage_password(storage));
  run_command_checked(
      {postgres_tool("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner",
       "--no-password", "--dbname=" + passfile.dbname(storage.postgresql), from.string()},
      "restore the PostgreSQL database with pg_restore");
}

}  // namespace xmppcert::ca
