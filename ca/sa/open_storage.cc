#include "ca/sa/open_storage.h"

#include <sys/stat.h>

#include <regex>

#include "ca/sa/postgres_storage.h"
#include "ca/sa/sqlite_storage.h"
#include "ca/secret_file.h"
#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert::ca {

// The password file is root's and readable by no one else: it opens the CA's database.
std::string read_storage_password(const StorageConfig& config) {
  if (config.password_file.empty()) return "";
  return read_secret_file(config.password_file, "the database password file");
}

StorageConfig read_storage_config(const nlohmann::json& config, const std::string& origin) {
  StorageConfig out;
  if (!config.contains("storage")) return out;
  const auto& storage = config["storage"];
  if (!storage.is_object())
    throw UsageError(origin + ": \"storage\" must be an object like {\"postgresql\": \"...\"}");
  for (const auto& [key, value] : storage.items()) {
    if (key != "postgresql" && key != "password_file")
      throw UsageError(origin + ": unknown key storage." + key + " (postgresql, password_file)");
    if (!value.is_string()) throw UsageError(origin + ": storage." + key + " must be a string");
  }
  out.postgresql = storage.value("postgresql", "");
  out.password_file = storage.value("password_file", "");
  if (out.postgresql.empty())
    throw UsageError(origin + ": storage.postgresql must be a libpq connection string");
  // "password=..." among the keywords, or postgresql://user:PASSWORD@host.
  static const std::regex kPassword(R"((^|\s)password\s*=|^postgres(ql)?://[^/@]*:[^/@]*@)",
                                    std::regex::icase);
  if (std::regex_search(out.postgresql, kPassword))
    throw UsageError(origin + ": storage.postgresql must not hold a password; name a " +
                     "storage.password_file instead");
  return out;
}

std::unique_ptr<Storage> open_storage(const StorageConfig& config,
                                      const std::filesystem::path& state_dir) {
  if (config.postgresql.empty()) return std::make_unique<SqliteStorage>(state_dir / "ca.db");
  return std::make_unique<PostgresStorage>(config.postgresql, read_storage_password(config));
}

std::string migrate_storage(const StorageConfig& config, const std::filesystem::path& state_dir) {
  if (config.postgresql.empty()) {
    SqliteStorage storage(state_dir / "ca.db");
    return "SQLite " + (state_dir / "ca.db").string() + ": schema version " +
           std::to_string(kSchemaVersion);
  }
  PostgresStorage storage(config.postgresql, read_storage_password(config), true);
  int before = storage.migrate();
  if (before == kSchemaVersion)
    return "PostgreSQL: schema already at version " + std::to_string(kSchemaVersion);
  return "PostgreSQL: schema migrated from version " + std::to_string(before) + " to " +
         std::to_string(kSchemaVersion);
}

}  // namespace xmppcert::ca
