#include "ca/log/log_store.h"

#include <sqlite3.h>

#include "engine/errors.h"

namespace xmppcert::ctlog {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS ct_entries (
  idx INTEGER PRIMARY KEY, leaf_input BLOB NOT NULL, extra_data BLOB NOT NULL,
  leaf_hash BLOB NOT NULL, cert_sha256 BLOB NOT NULL, serial TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ct_entries_by_leaf_hash ON ct_entries (leaf_hash);
CREATE INDEX IF NOT EXISTS ct_entries_by_certificate ON ct_entries (cert_sha256);
)";

class Query {
 public:
  Query(sqlite3* db, const char* sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw_operation_error("prepare SQL on", path, sqlite3_errmsg(db));
  }
  ~Query() { sqlite3_finalize(stmt_); }
  Query& blob(int index, std::string_view data) {
    sqlite3_bind_blob(stmt_, index, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& text(int index, const std::string& data) {
    sqlite3_bind_text(stmt_, index, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& integer(int index, uint64_t value) {
    sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(value));
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_operation_error("query the transparency log in", path_, sqlite3_errmsg(db_));
  }
  std::string column_blob(int column) {
    auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }
  uint64_t column_integer(int column) {
    return static_cast<uint64_t>(sqlite3_column_int64(stmt_, column));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  const std::string& path_;
};

std::string_view bytes(const Hash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

}  // namespace

void LogStore::create_tables() {
  char* error = nullptr;
  if (sqlite3_exec(db_, kSchema, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string cause = error ? error : "unknown error";
    sqlite3_free(error);
    throw_operation_error("create the transparency log's tables in", path_, cause);
  }
}

uint64_t LogStore::append(const std::string& leaf_input, const std::string& extra_data,
                          const std::string& cert_sha256, const std::string& serial) {
  uint64_t index = size();
  Query(db_,
        "INSERT INTO ct_entries (idx, leaf_input, extra_data, leaf_hash, cert_sha256, serial) "
        "VALUES (?,?,?,?,?,?)",
        path_)
      .integer(1, index)
      .blob(2, leaf_input)
      .blob(3, extra_data)
      .blob(4, bytes(hash_leaf(leaf_input)))
      .blob(5, cert_sha256)
      .text(6, serial)
      .step();
  return index;
}

uint64_t LogStore::size() {
  Query row(db_, "SELECT COALESCE(MAX(idx) + 1, 0) FROM ct_entries", path_);
  row.step();
  return row.column_integer(0);
}

std::vector<Hash> LogStore::leaf_hashes(uint64_t count) {
  Query row(db_, "SELECT leaf_hash FROM ct_entries WHERE idx < ? ORDER BY idx", path_);
  row.integer(1, count);
  std::vector<Hash> out;
  out.reserve(count);
  while (row.step()) {
    std::string data = row.column_blob(0);
    Hash hash{};
    if (data.size() != hash.size())
      throw_operation_error("read the transparency log in", path_,
                            "entry " + std::to_string(out.size()) + " has no 32-byte leaf hash");
    std::copy(data.begin(), data.end(), hash.begin());
    out.push_back(hash);
  }
  if (out.size() != count)
    throw_operation_error("read the transparency log in", path_,
                          "entries are missing below " + std::to_string(count));
  return out;
}

std::vector<StoredEntry> LogStore::entries(uint64_t first, uint64_t last) {
  Query row(db_,
            "SELECT idx, leaf_input, extra_data FROM ct_entries WHERE idx >= ? AND idx <= ? "
            "ORDER BY idx",
            path_);
  row.integer(1, first).integer(2, last);
  std::vector<StoredEntry> out;
  while (row.step()) out.push_back({row.column_integer(0), row.column_blob(1), row.column_blob(2)});
  return out;
}

std::optional<uint64_t> LogStore::index_of_leaf_hash(const Hash& hash) {
  Query row(db_, "SELECT idx FROM ct_entries WHERE leaf_hash = ? ORDER BY idx LIMIT 1", path_);
  row.blob(1, bytes(hash));
  if (!row.step()) return std::nullopt;
  return row.column_integer(0);
}

std::optional<uint64_t> LogStore::index_of_certificate(const std::string& cert_sha256) {
  Query row(db_, "SELECT idx FROM ct_entries WHERE cert_sha256 = ? ORDER BY idx LIMIT 1", path_);
  row.blob(1, cert_sha256);
  if (!row.step()) return std::nullopt;
  return row.column_integer(0);
}

}  // namespace xmppcert::ctlog
