// backup and restore: everything a CA needs to serve again elsewhere, in one private folder.
// The state dir's files (keys unless they are in a token, certificates, ca.json, log.json)
// are copied as they are; the records come from the storage: SQLite through its online
// backup API (a consistent snapshot while serve writes), PostgreSQL through pg_dump. restore
// puts them into a new state dir and, for PostgreSQL, into an empty database, then brings
// the schema up to this build's (a backup of an older CA).
#include <sys/stat.h>

#include <iostream>

#include "ca/commands.h"
#include "ca/sa/database_backup.h"
#include "ca/sa/open_storage.h"
#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert::ca {
namespace {

using cmdline::parse_args;
namespace fs = std::filesystem;

constexpr const char* kSqliteFile = "ca.db";
constexpr const char* kPostgresDump = "ca.pgdump";

bool is_database_file(const std::string& name) {
  return name == kSqliteFile || name == "ca.db-wal" || name == "ca.db-shm" || name == kPostgresDump;
}

// A new folder only the CA's user can read; an existing non-empty one is refused, so that
// nothing is overwritten or mixed.
void create_private_folder(const fs::path& path, const std::string& command) {
  std::error_code error;
  if (fs::exists(path, error) && !fs::is_empty(path, error))
    throw UsageError(command + ": " + path.string() + " exists and is not empty");
  xmppcert::create_directories(path, 0700);
  if (::chmod(path.c_str(), 0700) != 0)
    throw_operation_error("chmod 0700", path.string(), errno_text(errno));
}

// The regular files of `from` but the database's, with their mode (keys 0600); returns how
// many.
int copy_state_files(const fs::path& from, const fs::path& to) {
  int copied = 0;
  for (const auto& entry : fs::directory_iterator(from)) {
    std::string name = entry.path().filename().string();
    if (is_database_file(name) || !entry.is_regular_file() || entry.is_symlink()) continue;
    mode_t mode = static_cast<mode_t>(entry.status().permissions()) & 0644;
    write_new_file(to / name, read_file(entry.path()), with_mode(mode));
    ++copied;
  }
  return copied;
}

StorageConfig storage_of(const cmdline::ParsedArgs& args) {
  auto path = args.value("--config");
  return read_storage_config(read_config(path), path.value_or(""));
}

}  // namespace

int run_backup(const std::vector<std::string>& raw) {
  auto args =
      parse_args("backup", raw, {{"--state-dir", true}, {"--config", true}, {"--to", true}});
  auto dir = state_dir(args, "backup");
  if (!args.value("--to")) throw UsageError("backup: --to FOLDER is required (a new folder)");
  fs::path to = fs::absolute(*args.value("--to"));
  if (!fs::exists(dir / "ca.json"))
    throw UsageError("backup: " + dir.string() + " holds no CA (no ca.json)");
  StorageConfig storage = storage_of(args);
  create_private_folder(to, "backup");
  int files = copy_state_files(dir, to);
  std::string records;
  if (storage.postgresql.empty()) {
    copy_sqlite_database(dir / kSqliteFile, to / kSqliteFile);
    records = "the SQLite database (online backup) in " + (to / kSqliteFile).string();
  } else {
    dump_postgres_database(storage, to / kPostgresDump);
    records =
        "the PostgreSQL database (pg_dump --format=custom) in " + (to / kPostgresDump).string();
  }
  sync_directory(to);
  std::cout << "backed up " << dir.string() << " to " << to.string() << ": " << files
            << " files of the state dir and " << records << "\n"
            << "restore with: xmppcert-ca restore --from " << to.string() << " --state-dir NEW_DIR"
            << (storage.postgresql.empty() ? "" : " --config FILE (naming an empty database)")
            << "\n";
  return 0;
}

int run_restore(const std::vector<std::string>& raw) {
  auto args =
      parse_args("restore", raw, {{"--state-dir", true}, {"--config", true}, {"--from", true}});
  auto dir = state_dir(args, "restore");
  if (!args.value("--from")) throw UsageError("restore: --from FOLDER is required (a backup)");
  fs::path from = fs::absolute(*args.value("--from"));
  StorageConfig storage = storage_of(args);
  bool has_sqlite = fs::exists(from / kSqliteFile);
  bool has_dump = fs::exists(from / kPostgresDump);
  if (!fs::exists(from / "ca.json") || (!has_sqlite && !has_dump))
    throw UsageError("restore: " + from.string() +
                     " is no backup of xmppcert-ca (ca.json and ca.db or ca.pgdump)");
  if (has_dump && storage.postgresql.empty())
    throw UsageError("restore: " + from.string() +
                     " holds a PostgreSQL dump: give --config FILE whose \"storage\" names the "
                     "empty database to restore it into");
  if (has_sqlite && !storage.postgresql.empty())
    throw UsageError("restore: " + from.string() +
                     " holds a SQLite database, but the config's \"storage\" names PostgreSQL");
  create_private_folder(dir, "restore");
  int files = copy_state_files(from, dir);
  if (has_sqlite)
    copy_sqlite_database(from / kSqliteFile, dir / kSqliteFile);
  else
    restore_postgres_database(storage, from / kPostgresDump);
  std::cout << "restored " << files << " files into " << dir.string() << "\n"
            << migrate_storage(storage, dir) << "\n"
            << "serve with: xmppcert-ca serve --state-dir " << dir.string()
            << (storage.postgresql.empty() ? "" : " --config FILE") << " --listen ADDR:PORT\n";
  return 0;
}

}  // namespace xmppcert::ca
