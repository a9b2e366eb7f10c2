// Which storage a CA uses, from its config file's "storage":
//   absent                     SQLite in <state dir>/ca.db (the embedded default)
//   {"postgresql": "CONNINFO", "password_file": "/etc/xmppcert-ca/db-password"}
// CONNINFO is a libpq connection string ("host=db dbname=xmppcert user=ca"); a password only
// through password_file (root's, not readable by others) or libpq's own ~/.pgpass, never on a
// command line.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ca/sa/storage.h"

namespace xmppcert::ca {

struct StorageConfig {
  std::string postgresql;  // empty: SQLite
  std::string password_file;
};

// UsageError naming `origin` (the config file) on a malformed "storage".
StorageConfig read_storage_config(const nlohmann::json& config, const std::string& origin);

// The database password from the config's password_file ("" without one).
std::string read_storage_password(const StorageConfig& config);

// Opens the configured storage; PostgreSQL's schema must be migrated already.
std::unique_ptr<Storage> open_storage(const StorageConfig& config,
                                      const std::filesystem::path& state_dir);

// Creates or upgrades the schema (xmppcert-ca migrate); returns one line for the operator.
std::string migrate_storage(const StorageConfig& config, const std::filesystem::path& state_dir);

}  // namespace xmppcert::ca
