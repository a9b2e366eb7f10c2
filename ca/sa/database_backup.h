// A copy of the CA's database taken while it serves, and putting one back (xmppcert-ca backup
// and restore). SQLite: the online backup API, which copies a consistent snapshot page by
// page while serve keeps writing. PostgreSQL: pg_dump and pg_restore in their custom format,
// the database's own tools; the password reaches them in a passfile of the backup's private
// folder for the time of the run, never on their command line.
#pragma once

#include <filesystem>

#include "ca/sa/open_storage.h"

namespace xmppcert::ca {

// Copies the SQLite database `from` into the new file `to` (created 0600; an existing one is
// refused). OperationError naming both on failure.
void copy_sqlite_database(const std::filesystem::path& from, const std::filesystem::path& to);

// pg_dump of the configured database into the new file `to` (0600).
void dump_postgres_database(const StorageConfig& storage, const std::filesystem::path& to);

// pg_restore of `from` into the configured database, which must be empty (created with
// createdb, not migrated): in one transaction, so a failure leaves it empty.
void restore_postgres_database(const StorageConfig& storage, const std::filesystem::path& from);

}  // namespace xmppcert::ca
