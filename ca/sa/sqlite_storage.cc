#include "ca/sa/sqlite_storage.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>

#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, thumbprint TEXT UNIQUE NOT NULL, jwk TEXT NOT NULL,
  status TEXT NOT NULL, contact TEXT NOT NULL, eab_kid TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  kind TEXT NOT NULL, id TEXT NOT NULL, account INTEGER NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS certificates (
  serial TEXT PRIMARY KEY, account INTEGER NOT NULL, order_id TEXT NOT NULL,
  leaf_pem TEXT NOT NULL, not_after INTEGER NOT NULL, issued INTEGER NOT NULL,
  revoked_at INTEGER NOT NULL DEFAULT 0, reason INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS certificates_by_account ON certificates (account, issued);
CREATE TABLE IF NOT EXISTS used_nonces (nonce TEXT PRIMARY KEY, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ct_entries (
  idx INTEGER PRIMARY KEY, leaf_input BLOB NOT NULL, extra_data BLOB NOT NULL,
  leaf_hash BLOB NOT NULL, cert_sha256 BLOB NOT NULL, serial TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ct_entries_by_leaf_hash ON ct_entries (leaf_hash);
CREATE INDEX IF NOT EXISTS ct_entries_by_certificate ON ct_entries (cert_sha256);
CREATE TABLE IF NOT EXISTS rate_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, account INTEGER NOT NULL, kind TEXT NOT NULL,
  at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS rate_events_by_account ON rate_events (account, kind, at);
CREATE TABLE IF NOT EXISTS crls (
  number INTEGER PRIMARY KEY, this_update INTEGER NOT NULL, revoked_count INTEGER NOT NULL,
  der BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS eab_keys (
  kid TEXT PRIMARY KEY, hmac_key BLOB NOT NULL, created INTEGER NOT NULL,
  reusable INTEGER NOT NULL DEFAULT 0);
)";

// From version 4 to 5: an EAB key may be reusable (its table came with version 4).
constexpr const char* kAddReusableEabKeys =
    "ALTER TABLE eab_keys ADD COLUMN reusable INTEGER NOT NULL DEFAULT 0";

// From version 3 to 4: the last hour's certificates become rate events, so that an upgrade
// forgives none.
constexpr const char* kCarryRateEventsOver = R"(
INSERT INTO rate_events (account, kind, at)
  SELECT account, 'certificate', issued FROM certificates
  WHERE issued >= CAST(strftime('%s','now') AS INTEGER) - 3600;
)";

// One prepared statement, finalized on scope exit; binds by position from 1.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw_operation_error("prepare SQL on", path, sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int index, long long value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& bind_blob(int index, const std::string& data) {
    sqlite3_bind_blob(stmt_, index, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_operation_error("query", path_, sqlite3_errmsg(db_));
  }
  std::string text(int column) {
    auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }
  long long integer(int column) { return sqlite3_column_int64(stmt_, column); }
  std::string blob(int column) {
    auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  const std::string& path_;
};

AccountRecord read_account(Statement& row) {
  AccountRecord account;
  account.id = row.integer(0);
  account.thumbprint = row.text(1);
  account.jwk = nlohmann::json::parse(row.text(2));
  account.status = row.text(3);
  account.contact = nlohmann::json::parse(row.text(4));
  account.eab_kid = row.text(5);
  return account;
}

IssuedLeaf read_certificate(Statement& row) {
  IssuedLeaf cert;
  cert.serial = row.text(0);
  cert.account = row.integer(1);
  cert.order = row.text(2);
  cert.leaf_pem = row.text(3);
  cert.not_after = row.integer(4);
  cert.revoked_at = row.integer(5);
  cert.reason = static_cast<int>(row.integer(6));
  cert.issued = row.integer(7);
  return cert;
}

constexpr const char* kCertificateColumns =
    "SELECT serial, account, order_id, leaf_pem, not_after, revoked_at, reason, issued FROM "
    "certificates ";
constexpr const char* kAccountColumns =
    "SELECT id, thumbprint, jwk, status, contact, eab_kid FROM accounts ";

}  // namespace

bool create_private_database_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return true;
  }
  if (errno != EEXIST) throw_operation_error("create database", path, errno_text(errno));
  return false;
}

SqliteStorage::SqliteStorage(const std::filesystem::path& file) : path_(file.string()) {
  create_private_database_file(path_);
  if (sqlite3_open_v2(path_.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string cause = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw_operation_error("open database", path_, cause);
  }
  sqlite3_busy_timeout(db_, 5000);
  execute("PRAGMA journal_mode=WAL");
  execute("PRAGMA synchronous=FULL");
  auto schema_version = [&] {
    Statement version(db_, "PRAGMA user_version", path_);
    version.step();
    return version.integer(0);
  };
  long long found = schema_version();
  if (found > kSchemaVersion) {
    sqlite3_close(db_);
    throw_operation_error("open database", path_,
                          "its schema is version " + std::to_string(found) +
                              ", newer than this xmppcert-ca's " + std::to_string(kSchemaVersion) +
                              "; run the newer xmppcert-ca");
  }
  if (found == kSchemaVersion) return;
  execute("BEGIN IMMEDIATE");
  try {
    found = schema_version();  // another process may have upgraded it meanwhile
    execute(kSchema);
    if (found > 0 && found < 4) execute(kCarryRateEventsOver);
    if (found == 4) execute(kAddReusableEabKeys);
    execute(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    throw;
  }
}

SqliteStorage::~SqliteStorage() { sqlite3_close(db_); }

void SqliteStorage::run_transaction(const std::function<void()>& body, Commit commit) {
  std::lock_guard guard(mutex_);
  // In WAL mode, synchronous=NORMAL appends the commit to the WAL without an fsync (the
  // next FULL commit's fsync or a checkpoint takes it to the disk): lost only by a power
  // failure, never by a crash of the CA. Every other write stays FULL.
  if (commit == Commit::kRepeatable) execute("PRAGMA synchronous=NORMAL");
  try {
    execute("BEGIN IMMEDIATE");
    try {
      body();
      execute("COMMIT");
    } catch (...) {
      execute("ROLLBACK");
      throw;
    }
  } catch (...) {
    if (commit == Commit::kRepeatable) execute("PRAGMA synchronous=FULL");
    throw;
  }
  if (commit == Commit::kRepeatable) execute("PRAGMA synchronous=FULL");
}

void SqliteStorage::execute(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string cause = error ? error : "unknown error";
    sqlite3_free(error);
    throw_operation_error("update database", path_, cause);
  }
}

long long SqliteStorage::insert_account(const AccountRecord& account) {
  std::lock_guard guard(mutex_);
  Statement(db_,
            "INSERT INTO accounts (thumbprint, jwk, status, contact, eab_kid, created) "
            "VALUES (?, ?, ?, ?, ?, strftime('%s','now'))",
            path_)
      .bind(1, account.thumbprint)
      .bind(2, account.jwk.dump())
      .bind(3, account.status)
      .bind(4, account.contact.dump())
      .bind(5, account.eab_kid)
      .step();
  return sqlite3_last_insert_rowid(db_);
}

void SqliteStorage::update_account(const AccountRecord& account) {
  std::lock_guard guard(mutex_);
  Statement(db_, "UPDATE accounts SET thumbprint=?, jwk=?, status=?, contact=? WHERE id=?", path_)
      .bind(1, account.thumbprint)
      .bind(2, account.jwk.dump())
      .bind(3, account.status)
      .bind(4, account.contact.dump())
      .bind(5, account.id)
      .step();
}

std::optional<AccountRecord> SqliteStorage::account(long long id) {
  std::lock_guard guard(mutex_);
  Statement row(db_, (std::string(kAccountColumns) + "WHERE id=?").c_str(), path_);
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  return read_account(row);
}

std::optional<AccountRecord> SqliteStorage::account_by_thumbprint(const std::string& thumbprint) {
  std::lock_guard guard(mutex_);
  Statement row(db_, (std::string(kAccountColumns) + "WHERE thumbprint=?").c_str(), path_);
  row.bind(1, thumbprint);
  if (!row.step()) return std::nullopt;
  return read_account(row);
}

std::optional<AccountRecord> SqliteStorage::account_by_eab_kid(const std::string& kid) {
  std::lock_guard guard(mutex_);
  Statement row(db_, (std::string(kAccountColumns) + "WHERE eab_kid=? ORDER BY id LIMIT 1").c_str(),
                path_);
  row.bind(1, kid);
  if (!row.step()) return std::nullopt;
  return read_account(row);
}

bool SqliteStorage::change_account(long long id, const std::string& thumbprint,
                                   const AccountChange& change) {
  std::vector<std::pair<const char*, std::string>> sets;
  if (change.thumbprint) sets.emplace_back("thumbprint", *change.thumbprint);
  if (change.jwk) sets.emplace_back("jwk", change.jwk->dump());
  if (change.status) sets.emplace_back("status", *change.status);
  if (change.contact) sets.emplace_back("contact", change.contact->dump());
  if (sets.empty()) return account(id).has_value();
  std::string sql = "UPDATE accounts SET ";
  for (size_t i = 0; i < sets.size(); ++i)
    sql += (i ? ", " : "") + std::string(sets[i].first) + "=?";
  sql += " WHERE id=? AND thumbprint=? AND status='valid'";
  std::lock_guard guard(mutex_);
  Statement update(db_, sql.c_str(), path_);
  int index = 1;
  for (const auto& [column, value] : sets) update.bind(index++, value);
  update.bind(index, id);
  update.bind(index + 1, thumbprint).step();
  return sqlite3_changes(db_) == 1;
}

void SqliteStorage::put_document(const std::string& kind, const std::string& id, long long account,
                                 const nlohmann::json& doc) {
  std::lock_guard guard(mutex_);
  Statement(db_, "INSERT OR REPLACE INTO documents (kind, id, account, doc) VALUES (?,?,?,?)",
            path_)
      .bind(1, kind)
      .bind(2, id)
      .bind(3, account)
      .bind(4, doc.dump())
      .step();
}

std::optional<nlohmann::json> SqliteStorage::document(const std::string& kind,
                                                      const std::string& id) {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT doc FROM documents WHERE kind=? AND id=?", path_);
  row.bind(1, kind).bind(2, id);
  if (!row.step()) return std::nullopt;
  return nlohmann::json::parse(row.text(0));
}

std::vector<std::pair<std::string, nlohmann::json>> SqliteStorage::documents(
    const std::string& kind) {
  std::lock_guard guard(mutex_);
  Statement rows(db_, "SELECT id, doc FROM documents WHERE kind=? ORDER BY rowid", path_);
  rows.bind(1, kind);
  std::vector<std::pair<std::string, nlohmann::json>> out;
  while (rows.step()) out.emplace_back(rows.text(0), nlohmann::json::parse(rows.text(1)));
  return out;
}

void SqliteStorage::insert_certificate(const IssuedLeaf& cert) {
  std::lock_guard guard(mutex_);
  Statement(db_,
            "INSERT INTO certificates (serial, account, order_id, leaf_pem, not_after, issued) "
            "VALUES (?,?,?,?,?, strftime('%s','now'))",
            path_)
      .bind(1, cert.serial)
      .bind(2, cert.account)
      .bind(3, cert.order)
      .bind(4, cert.leaf_pem)
      .bind(5, static_cast<long long>(cert.not_after))
      .step();
}

std::optional<IssuedLeaf> SqliteStorage::certificate(const std::string& serial) {
  std::lock_guard guard(mutex_);
  Statement row(db_, (std::string(kCertificateColumns) + "WHERE serial=?").c_str(), path_);
  row.bind(1, serial);
  if (!row.step()) return std::nullopt;
  return read_certificate(row);
}

void SqliteStorage::revoke_certificate(const std::string& serial, int reason, std::time_t when) {
  std::lock_guard guard(mutex_);
  Statement(db_, "UPDATE certificates SET revoked_at=?, reason=? WHERE serial=?", path_)
      .bind(1, static_cast<long long>(when))
      .bind(2, static_cast<long long>(reason))
      .bind(3, serial)
      .step();
}

std::vector<IssuedLeaf> SqliteStorage::revoked_certificates() {
  std::lock_guard guard(mutex_);
  Statement row(db_, (std::string(kCertificateColumns) + "WHERE revoked_at != 0").c_str(), path_);
  std::vector<IssuedLeaf> out;
  while (row.step()) out.push_back(read_certificate(row));
  return out;
}

long long SqliteStorage::count_certificates_since(long long account, std::time_t since) {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT COUNT(*) FROM certificates WHERE account=? AND issued>=?", path_);
  row.bind(1, account).bind(2, static_cast<long long>(since));
  row.step();
  return row.integer(0);
}

std::vector<IssuedLeaf> SqliteStorage::certificates() {
  std::lock_guard guard(mutex_);
  Statement row(db_, (std::string(kCertificateColumns) + "ORDER BY issued, serial").c_str(), path_);
  std::vector<IssuedLeaf> out;
  while (row.step()) out.push_back(read_certificate(row));
  return out;
}

std::string SqliteStorage::shared_secret(const std::string& name, const std::string& candidate) {
  std::lock_guard guard(mutex_);
  Statement(db_, "INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)", path_)
      .bind(1, name)
      .bind(2, candidate)
      .step();
  Statement row(db_, "SELECT value FROM settings WHERE name=?", path_);
  row.bind(1, name).step();
  return row.text(0);
}

bool SqliteStorage::use_nonce(const std::string& nonce, std::time_t expires) {
  std::lock_guard guard(mutex_);
  if (++nonces_used_ % 1024 == 0)
    Statement(db_, "DELETE FROM used_nonces WHERE expires < strftime('%s','now')", path_).step();
  Statement(db_, "INSERT OR IGNORE INTO used_nonces (nonce, expires) VALUES (?, ?)", path_)
      .bind(1, nonce)
      .bind(2, static_cast<long long>(expires))
      .step();
  return sqlite3_changes(db_) == 1;
}

std::optional<RenewalOverride> SqliteStorage::renewal_override() {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT value FROM settings WHERE name='renewal_override'", path_);
  if (!row.step()) return std::nullopt;
  nlohmann::json value = nlohmann::json::parse(row.text(0), nullptr, false);
  if (!value.is_object()) return std::nullopt;
  return RenewalOverride{value.value("issued_before", std::time_t{0}),
                         value.value("start", std::time_t{0}), value.value("end", std::time_t{0})};
}

void SqliteStorage::set_renewal_override(const RenewalOverride& moved) {
  std::lock_guard guard(mutex_);
  nlohmann::json value{
      {"issued_before", moved.issued_before}, {"start", moved.start}, {"end", moved.end}};
  Statement(db_, "INSERT OR REPLACE INTO settings (name, value) VALUES ('renewal_override', ?)",
            path_)
      .bind(1, value.dump())
      .step();
}

std::vector<AccountRecord> SqliteStorage::accounts() {
  std::lock_guard guard(mutex_);
  Statement row(db_, (std::string(kAccountColumns) + "ORDER BY id").c_str(), path_);
  std::vector<AccountRecord> out;
  while (row.step()) out.push_back(read_account(row));
  return out;
}

long long SqliteStorage::add_rate_event(long long account, const std::string& kind,
                                        std::time_t at) {
  std::lock_guard guard(mutex_);
  if (++rate_events_added_ % 1024 == 0)
    Statement(db_, "DELETE FROM rate_events WHERE at < ?", path_)
        .bind(1, static_cast<long long>(at - kRateEventsKept))
        .step();
  Statement(db_, "INSERT INTO rate_events (account, kind, at) VALUES (?, ?, ?)", path_)
      .bind(1, account)
      .bind(2, kind)
      .bind(3, static_cast<long long>(at))
      .step();
  return sqlite3_last_insert_rowid(db_);
}

void SqliteStorage::set_rate_event_kind(long long id, const std::string& kind, std::time_t at) {
  std::lock_guard guard(mutex_);
  if (kind.empty()) {
    Statement(db_, "DELETE FROM rate_events WHERE id=?", path_).bind(1, id).step();
    return;
  }
  Statement(db_, "UPDATE rate_events SET kind=?, at=? WHERE id=?", path_)
      .bind(1, kind)
      .bind(2, static_cast<long long>(at))
      .bind(3, id)
      .step();
}

long long SqliteStorage::count_rate_events(long long account, const std::string& kind,
                                           std::time_t since) {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT COUNT(*) FROM rate_events WHERE account=? AND kind=? AND at>=?",
                path_);
  row.bind(1, account).bind(2, kind).bind(3, static_cast<long long>(since));
  row.step();
  return row.integer(0);
}

std::optional<CrlRecord> SqliteStorage::latest_crl() {
  std::lock_guard guard(mutex_);
  Statement row(db_,
                "SELECT number, this_update, revoked_count, der FROM crls ORDER BY number DESC "
                "LIMIT 1",
                path_);
  if (!row.step()) return std::nullopt;
  return CrlRecord{row.integer(0), static_cast<std::time_t>(row.integer(1)), row.integer(2),
                   row.blob(3)};
}

void SqliteStorage::store_crl(const CrlRecord& crl) {
  std::lock_guard guard(mutex_);
  Statement(db_, "INSERT INTO crls (number, this_update, revoked_count, der) VALUES (?,?,?,?)",
            path_)
      .bind(1, crl.number)
      .bind(2, static_cast<long long>(crl.this_update))
      .bind(3, crl.revoked_count)
      .bind_blob(4, crl.der)
      .step();
  // Only the newest is served; a few before it stay for the record.
  Statement(db_, "DELETE FROM crls WHERE number < ?", path_).bind(1, crl.number - 10).step();
}

bool SqliteStorage::run_exclusively(const std::string&, bool, const std::function<void()>& body) {
  body();
  return true;
}

bool SqliteStorage::add_eab_key(const EabKeyRecord& key) {
  std::lock_guard guard(mutex_);
  Statement(db_,
            "INSERT OR IGNORE INTO eab_keys (kid, hmac_key, created, reusable) VALUES (?, ?, ?, ?)",
            path_)
      .bind(1, key.kid)
      .bind_blob(2, key.hmac_key)
      .bind(3, static_cast<long long>(key.created))
      .bind(4, static_cast<long long>(key.reusable))
      .step();
  return sqlite3_changes(db_) == 1;
}

std::optional<EabKeyRecord> SqliteStorage::eab_key(const std::string& kid) {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT kid, hmac_key, created, reusable FROM eab_keys WHERE kid=?", path_);
  row.bind(1, kid);
  if (!row.step()) return std::nullopt;
  return EabKeyRecord{row.text(0), row.blob(1), static_cast<std::time_t>(row.integer(2)),
                      row.integer(3) != 0};
}

std::vector<EabKeyRecord> SqliteStorage::eab_keys() {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT kid, hmac_key, created, reusable FROM eab_keys ORDER BY kid", path_);
  std::vector<EabKeyRecord> out;
  while (row.step())
    out.push_back(
        {row.text(0), row.blob(1), static_cast<std::time_t>(row.integer(2)), row.integer(3) != 0});
  return out;
}

bool SqliteStorage::remove_eab_key(const std::string& kid) {
  std::lock_guard guard(mutex_);
  Statement(db_, "DELETE FROM eab_keys WHERE kid=?", path_).bind(1, kid).step();
  return sqlite3_changes(db_) == 1;
}

uint64_t SqliteStorage::log_append(const LogEntryRecord& entry) {
  std::lock_guard guard(mutex_);
  uint64_t index = log_size();
  Statement(db_,
            "INSERT INTO ct_entries (idx, leaf_input, extra_data, leaf_hash, cert_sha256, serial) "
            "VALUES (?,?,?,?,?,?)",
            path_)
      .bind(1, static_cast<long long>(index))
      .bind_blob(2, entry.leaf_input)
      .bind_blob(3, entry.extra_data)
      .bind_blob(4, entry.leaf_hash)
      .bind_blob(5, entry.cert_sha256)
      .bind(6, entry.serial)
      .step();
  return index;
}

uint64_t SqliteStorage::log_size() {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT COALESCE(MAX(idx) + 1, 0) FROM ct_entries", path_);
  row.step();
  return static_cast<uint64_t>(row.integer(0));
}

std::vector<std::string> SqliteStorage::log_leaf_hashes(uint64_t count) {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT leaf_hash FROM ct_entries WHERE idx < ? ORDER BY idx", path_);
  row.bind(1, static_cast<long long>(count));
  std::vector<std::string> out;
  out.reserve(count);
  while (row.step()) out.push_back(row.blob(0));
  if (out.size() != count)
    throw_operation_error("read the transparency log in", path_,
                          "entries are missing below " + std::to_string(count));
  return out;
}

std::vector<LogEntryRecord> SqliteStorage::log_entries(uint64_t first, uint64_t last) {
  std::lock_guard guard(mutex_);
  Statement row(db_,
                "SELECT idx, leaf_input, extra_data FROM ct_entries WHERE idx >= ? AND idx <= ? "
                "ORDER BY idx",
                path_);
  row.bind(1, static_cast<long long>(first)).bind(2, static_cast<long long>(last));
  std::vector<LogEntryRecord> out;
  while (row.step()) {
    LogEntryRecord entry;
    entry.index = static_cast<uint64_t>(row.integer(0));
    entry.leaf_input = row.blob(1);
    entry.extra_data = row.blob(2);
    out.push_back(std::move(entry));
  }
  return out;
}

std::optional<uint64_t> SqliteStorage::log_index_of_leaf_hash(const std::string& leaf_hash) {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT idx FROM ct_entries WHERE leaf_hash = ? ORDER BY idx LIMIT 1", path_);
  row.bind_blob(1, leaf_hash);
  if (!row.step()) return std::nullopt;
  return static_cast<uint64_t>(row.integer(0));
}

std::optional<uint64_t> SqliteStorage::log_index_of_certificate(const std::string& cert_sha256) {
  std::lock_guard guard(mutex_);
  Statement row(db_, "SELECT idx FROM ct_entries WHERE cert_sha256 = ? ORDER BY idx LIMIT 1",
                path_);
  row.bind_blob(1, cert_sha256);
  if (!row.step()) return std::nullopt;
  return static_cast<uint64_t>(row.integer(0));
}

}  // namespace xmppcert::ca
