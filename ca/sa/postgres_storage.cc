#include "ca/sa/postgres_storage.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <thread>

#include "engine/errors.h"
#include "ca/sa/postgres_pool.h"

namespace xmppcert::ca {
namespace {

// Migration N (1-based) brings the schema from version N-1 to N. Append, never edit.
const char* const kMigrations[] = {
    R"(
CREATE TABLE accounts (
  id BIGSERIAL PRIMARY KEY, thumbprint TEXT UNIQUE NOT NULL, jwk TEXT NOT NULL,
  status TEXT NOT NULL, contact TEXT NOT NULL, eab_kid TEXT NOT NULL DEFAULT '',
  created BIGINT NOT NULL);
CREATE TABLE documents (
  kind TEXT NOT NULL, id TEXT NOT NULL, account BIGINT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (kind, id));
CREATE TABLE certificates (
  serial TEXT PRIMARY KEY, account BIGINT NOT NULL, order_id TEXT NOT NULL,
  leaf_pem TEXT NOT NULL, not_after BIGINT NOT NULL, issued BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL DEFAULT 0, reason INTEGER NOT NULL DEFAULT 0);
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX certificates_by_account ON certificates (account, issued);
)",
    "CREATE TABLE used_nonces (nonce TEXT PRIMARY KEY, expires BIGINT NOT NULL)",
    R"(
CREATE TABLE ct_entries (
  idx BIGINT PRIMARY KEY, leaf_input BYTEA NOT NULL, extra_data BYTEA NOT NULL,
  leaf_hash BYTEA NOT NULL, cert_sha256 BYTEA NOT NULL, serial TEXT NOT NULL);
CREATE INDEX ct_entries_by_leaf_hash ON ct_entries (leaf_hash);
CREATE INDEX ct_entries_by_certificate ON ct_entries (cert_sha256);
)",
    // Rate limits counted by every instance alike (the last hour's certificates carried over,
    // so that an upgrade forgives none), the CRL all instances serve, EAB keys in the database.
    R"(
CREATE TABLE rate_events (
  id BIGSERIAL PRIMARY KEY, account BIGINT NOT NULL, kind TEXT NOT NULL, at BIGINT NOT NULL);
CREATE INDEX rate_events_by_account ON rate_events (account, kind, at);
INSERT INTO rate_events (account, kind, at)
  SELECT account, 'certificate', issued FROM certificates
  WHERE issued >= floor(extract(epoch from now()))::bigint - 3600;
CREATE TABLE crls (
  number BIGINT PRIMARY KEY, this_update BIGINT NOT NULL, revoked_count BIGINT NOT NULL,
  der BYTEA NOT NULL);
CREATE TABLE eab_keys (kid TEXT PRIMARY KEY, hmac_key BYTEA NOT NULL, created BIGINT NOT NULL);
)",
    // 5: an EAB key may open any number of accounts (xmppcert-ca eab add --reusable).
    "ALTER TABLE eab_keys ADD COLUMN reusable BOOLEAN NOT NULL DEFAULT false;",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

// Any key will do as long as every instance uses the same: "xmppcert" in ASCII.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7888467214727020916)";
constexpr int kTransactionAttempts = 16;

// Before attempt `attempt` (2, 3, ...) of a transaction that lost a serialization conflict:
// a random pause of up to 1, 2, 4 ... 32 ms. The transactions that conflicted were running
// at the same moment; run again at once, they would meet again, and again.
void back_off(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  int bound_ms = 1 << std::min(attempt - 2, 5);
  std::this_thread::sleep_for(std::chrono::microseconds(
      std::uniform_int_distribution<int>(0, bound_ms * 1000)(random)));
}

// The advisory lock key of `name`: FNV-1a, the same in every build and instance.
std::string lock_key(const std::string& name) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : "xmppcert:" + name) hash = (hash ^ c) * 1099511628211ull;
  return std::to_string(static_cast<int64_t>(hash));
}

class SerializationFailure : public OperationError {
 public:
  using OperationError::OperationError;
};

constexpr const char* kCertificateColumns =
    "SELECT serial, account, order_id, leaf_pem, not_after, revoked_at, reason, issued FROM "
    "certificates ";
constexpr const char* kAccountColumns =
    "SELECT id, thumbprint, jwk, status, contact, eab_kid FROM accounts ";

// Binary values travel as hex text (decode($n, 'hex') / encode(column, 'hex')): the queries
// stay in libpq's text format whatever the server's bytea_output.
std::string hex_of(const std::string& data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (unsigned char byte : data) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0x0f]);
  }
  return out;
}

std::string bytes_of_hex(const std::string& hex) {
  auto value = [](char digit) { return digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10; };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(value(hex[i]) << 4 | value(hex[i + 1])));
  return out;
}

std::string where(pg_conn* conn) {
  if (!conn) return "PostgreSQL";
  std::string host = PQhost(conn) ? PQhost(conn) : "";
  return std::string("PostgreSQL database ") + (PQdb(conn) ? PQdb(conn) : "?") + " on " +
         (host.starts_with("/") ? "socket " + host : host) + ":" +
         (PQport(conn) ? PQport(conn) : "");
}

}  // namespace

class PostgresStorage::Result {
 public:
  explicit Result(pg_result* result) : result_(result, PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
  long long integer(int row, int column) const { return std::atoll(text(row, column).c_str()); }

 private:
  std::unique_ptr<pg_result, void (*)(pg_result*)> result_;
};

namespace {

AccountRecord read_account(const auto& rows, int row) {
  AccountRecord account;
  account.id = rows.integer(row, 0);
  account.thumbprint = rows.text(row, 1);
  account.jwk = nlohmann::json::parse(rows.text(row, 2));
  account.status = rows.text(row, 3);
  account.contact = nlohmann::json::parse(rows.text(row, 4));
  account.eab_kid = rows.text(row, 5);
  return account;
}

IssuedLeaf read_certificate(const auto& rows, int row) {
  IssuedLeaf cert;
  cert.serial = rows.text(row, 0);
  cert.account = rows.integer(row, 1);
  cert.order = rows.text(row, 2);
  cert.leaf_pem = rows.text(row, 3);
  cert.not_after = rows.integer(row, 4);
  cert.revoked_at = rows.integer(row, 5);
  cert.reason = static_cast<int>(rows.integer(row, 6));
  cert.issued = rows.integer(row, 7);
  return cert;
}

}  // namespace

PostgresStorage::PostgresStorage(std::string conninfo, std::string password, bool for_migration)
    : conninfo_(std::move(conninfo)), password_(std::move(password)) {
  PostgresPool::Lease lease(pool_);
  connect(*lease);
  if (for_migration) return;
  int version = schema_version();
  if (version > kSchemaVersion)
    throw_operation_error("open", where(lease->conn),
                          "its schema is version " + std::to_string(version) +
                              ", newer than this xmppcert-ca's " + std::to_string(kSchemaVersion) +
                              "; run the newer xmppcert-ca");
  if (version < kSchemaVersion)
    throw_operation_error("open", where(lease->conn),
                          "its schema is version " + std::to_string(version) +
                              ", this xmppcert-ca "
                              "needs " +
                              std::to_string(kSchemaVersion) +
                              "; run xmppcert-ca migrate --config FILE");
}

PostgresStorage::~PostgresStorage() = default;

// (Re)connects when there is no good connection; StorageUnavailable when the server cannot be
// reached. The password goes to libpq as a parameter, never into a string we could log.
void PostgresStorage::connect(PostgresConnection& connection) {
  if (connection.conn && PQstatus(connection.conn) == CONNECTION_OK) return;
  PQfinish(connection.conn);
  std::vector<const char*> keys{"connect_timeout", "dbname"};
  std::vector<const char*> values{"5", conninfo_.c_str()};
  if (!password_.empty()) {
    keys.push_back("password");
    values.push_back(password_.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  connection.conn = PQconnectdbParams(keys.data(), values.data(), 1);
  if (!connection.conn) throw StorageUnavailable("connect to PostgreSQL: out of memory");
  if (PQstatus(connection.conn) != CONNECTION_OK) {
    std::string cause = PQerrorMessage(connection.conn);
    while (!cause.empty() && (cause.back() == '\n' || cause.back() == ' ')) cause.pop_back();
    PQfinish(connection.conn);
    connection.conn = nullptr;
    throw StorageUnavailable("connect to PostgreSQL: " + cause);
  }
  // NOTICEs ("already exists, skipping") are not for the operator's terminal.
  PQsetNoticeProcessor(
      connection.conn, [](void*, const char*) {}, nullptr);
}

PostgresStorage::Result PostgresStorage::query(const char* sql,
                                               const std::vector<std::string>& params) {
  PostgresConnection& connection = pool_.held();
  if (!connection.in_transaction) connect(connection);
  pg_conn* conn = connection.conn;
  std::vector<const char*> values;
  for (const auto& param : params) values.push_back(param.c_str());
  // Without parameters the simple protocol, which takes several statements (a migration).
  pg_result* raw = params.empty() ? PQexec(conn, sql)
                                  : PQexecParams(conn, sql, static_cast<int>(values.size()),
                                                 nullptr, values.data(), nullptr, nullptr, 0);
  ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(raw);
  const char* field = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  std::string state = field ? field : "";
  std::string cause = raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn);
  PQclear(raw);
  while (!cause.empty() && (cause.back() == '\n' || cause.back() == ' ')) cause.pop_back();
  // Class 08 (connection exception), 57P01-03 (the server shuts down or is starting).
  if (PQstatus(conn) != CONNECTION_OK || state.starts_with("08") || state.starts_with("57P")) {
    pool_.forget_connections();
    throw StorageUnavailable(where(conn) + ": " + cause);
  }
  if (state == "40001" || state == "40P01") throw SerializationFailure(cause);
  throw_operation_error("query", where(conn), cause);
}

void PostgresStorage::run_transaction(const std::function<void()>& body, Commit commit) {
  PostgresPool::Lease lease(pool_);
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) back_off(attempt);
    connect(*lease);
    query(commit == Commit::kDurable
              ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
              : "BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL synchronous_commit TO OFF");
    lease->in_transaction = true;
    try {
      body();
      query("COMMIT");
      lease->in_transaction = false;
      return;
    } catch (const SerializationFailure& conflict) {
      lease->in_transaction = false;
      query("ROLLBACK");
      ++serialization_retries_;
      if (attempt == kTransactionAttempts)
        throw_operation_error("commit a transaction on", where(lease->conn),
                              std::string(conflict.what()) + " (" +
                                  std::to_string(kTransactionAttempts) + " attempts)");
    } catch (...) {
      lease->in_transaction = false;
      if (PQstatus(lease->conn) == CONNECTION_OK) PQclear(PQexec(lease->conn, "ROLLBACK"));
      throw;
    }
  }
}

int PostgresStorage::schema_version() {
  Result exists = query("SELECT to_regclass('schema_version') IS NOT NULL");
  if (exists.text(0, 0) != "t") return 0;
  Result version = query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  return static_cast<int>(version.integer(0, 0));
}

int PostgresStorage::migrate(int target) {
  PostgresPool::Lease lease(pool_);
  if (target < 1 || target > kSchemaVersion)
    throw_operation_error("migrate", where(lease->conn),
                          "no schema version " + std::to_string(target) + " to migrate to");
  int before = 0;
  run_transaction([&] {
    query(kMigrationLock);
    query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    before = schema_version();
    if (before > kSchemaVersion)
      throw_operation_error("migrate", where(lease->conn),
                            "its schema is version " + std::to_string(before) +
                                ", newer than this xmppcert-ca's " +
                                std::to_string(kSchemaVersion) + "; run the newer xmppcert-ca");
    for (int next = before + 1; next <= target; ++next) {
      query(kMigrations[next - 1]);
      query("DELETE FROM schema_version");
      query("INSERT INTO schema_version (version) VALUES ($1)", {std::to_string(next)});
    }
  }, Commit::kDurable);
  return before;
}

long long PostgresStorage::insert_account(const AccountRecord& account) {
  PostgresPool::Lease lease(pool_);
  return query(
             "INSERT INTO accounts (thumbprint, jwk, status, contact, eab_kid, created) VALUES "
             "($1, $2, $3, $4, $5, floor(extract(epoch from now()))::bigint) RETURNING id",
             {account.thumbprint, account.jwk.dump(), account.status, account.contact.dump(),
              account.eab_kid})
      .integer(0, 0);
}

void PostgresStorage::update_account(const AccountRecord& account) {
  PostgresPool::Lease lease(pool_);
  query("UPDATE accounts SET thumbprint=$1, jwk=$2, status=$3, contact=$4 WHERE id=$5",
        {account.thumbprint, account.jwk.dump(), account.status, account.contact.dump(),
         std::to_string(account.id)});
}

std::optional<AccountRecord> PostgresStorage::account(long long id) {
  PostgresPool::Lease lease(pool_);
  Result rows = query((std::string(kAccountColumns) + "WHERE id=$1").c_str(), {std::to_string(id)});
  if (rows.rows() == 0) return std::nullopt;
  return read_account(rows, 0);
}

std::optional<AccountRecord> PostgresStorage::account_by_thumbprint(const std::string& thumbprint) {
  PostgresPool::Lease lease(pool_);
  Result rows = query((std::string(kAccountColumns) + "WHERE thumbprint=$1").c_str(), {thumbprint});
  if (rows.rows() == 0) return std::nullopt;
  return read_account(rows, 0);
}

std::optional<AccountRecord> PostgresStorage::account_by_eab_kid(const std::string& kid) {
  PostgresPool::Lease lease(pool_);
  Result rows =
      query((std::string(kAccountColumns) + "WHERE eab_kid=$1 ORDER BY id LIMIT 1").c_str(), {kid});
  if (rows.rows() == 0) return std::nullopt;
  return read_account(rows, 0);
}

bool PostgresStorage::change_account(long long id, const std::string& thumbprint,
                                     const AccountChange& change) {
  std::vector<std::string> values;
  std::string sets;
  auto set = [&](const char* column, const std::string& value) {
    values.push_back(value);
    sets += (sets.empty() ? "" : ", ") + std::string(column) + "=$" + std::to_string(values.size());
  };
  if (change.thumbprint) set("thumbprint", *change.thumbprint);
  if (change.jwk) set("jwk", change.jwk->dump());
  if (change.status) set("status", *change.status);
  if (change.contact) set("contact", change.contact->dump());
  if (values.empty()) return account(id).has_value();
  values.push_back(std::to_string(id));
  values.push_back(thumbprint);
  std::string sql = "UPDATE accounts SET " + sets + " WHERE id=$" +
                    std::to_string(values.size() - 1) + " AND thumbprint=$" +
                    std::to_string(values.size()) + " AND status='valid' RETURNING 1";
  PostgresPool::Lease lease(pool_);
  return query(sql.c_str(), values).rows() == 1;
}

void PostgresStorage::put_document(const std::string& kind, const std::string& id,
                                   long long account, const nlohmann::json& doc) {
  PostgresPool::Lease lease(pool_);
  query(
      "INSERT INTO documents (kind, id, account, doc) VALUES ($1, $2, $3, $4) ON CONFLICT "
      "(kind, id) DO UPDATE SET account = EXCLUDED.account, doc = EXCLUDED.doc",
      {kind, id, std::to_string(account), doc.dump()});
}

std::optional<nlohmann::json> PostgresStorage::document(const std::string& kind,
                                                        const std::string& id) {
  PostgresPool::Lease lease(pool_);
  Result rows = query("SELECT doc FROM documents WHERE kind=$1 AND id=$2", {kind, id});
  if (rows.rows() == 0) return std::nullopt;
  return nlohmann::json::parse(rows.text(0, 0));
}

std::vector<std::pair<std::string, nlohmann::json>> PostgresStorage::documents(
    const std::string& kind) {
  PostgresPool::Lease lease(pool_);
  Result rows = query("SELECT id, doc FROM documents WHERE kind=$1 ORDER BY id", {kind});
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (int row = 0; row < rows.rows(); ++row)
    out.emplace_back(rows.text(row, 0), nlohmann::json::parse(rows.text(row, 1)));
  return out;
}

void PostgresStorage::insert_certificate(const IssuedLeaf& cert) {
  PostgresPool::Lease lease(pool_);
  query(
      "INSERT INTO certificates (serial, account, order_id, leaf_pem, not_after, issued) VALUES "
      "($1, $2, $3, $4, $5, floor(extract(epoch from now()))::bigint)",
      {cert.serial, std::to_string(cert.account), cert.order, cert.leaf_pem,
       std::to_string(static_cast<long long>(cert.not_after))});
}

std::optional<IssuedLeaf> PostgresStorage::certificate(const std::string& serial) {
  PostgresPool::Lease lease(pool_);
  Result rows = query((std::string(kCertificateColumns) + "WHERE serial=$1").c_str(), {serial});
  if (rows.rows() == 0) return std::nullopt;
  return read_certificate(rows, 0);
}

void PostgresStorage::revoke_certificate(const std::string& serial, int reason, std::time_t when) {
  PostgresPool::Lease lease(pool_);
  query("UPDATE certificates SET revoked_at=$1, reason=$2 WHERE serial=$3",
        {std::to_string(static_cast<long long>(when)), std::to_string(reason), serial});
}

std::vector<IssuedLeaf> PostgresStorage::revoked_certificates() {
  PostgresPool::Lease lease(pool_);
  Result rows = query((std::string(kCertificateColumns) + "WHERE revoked_at != 0").c_str());
  std::vector<IssuedLeaf> out;
  for (int row = 0; row < rows.rows(); ++row) out.push_back(read_certificate(rows, row));
  return out;
}

long long PostgresStorage::count_certificates_since(long long account, std::time_t since) {
  PostgresPool::Lease lease(pool_);
  return query("SELECT COUNT(*) FROM certificates WHERE account=$1 AND issued>=$2",
               {std::to_string(account), std::to_string(static_cast<long long>(since))})
      .integer(0, 0);
}

std::vector<IssuedLeaf> PostgresStorage::certificates() {
  PostgresPool::Lease lease(pool_);
  Result rows = query((std::string(kCertificateColumns) + "ORDER BY issued, serial").c_str());
  std::vector<IssuedLeaf> out;
  for (int row = 0; row < rows.rows(); ++row) out.push_back(read_certificate(rows, row));
  return out;
}

std::string PostgresStorage::shared_secret(const std::string& name, const std::string& candidate) {
  PostgresPool::Lease lease(pool_);
  query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        {name, candidate});
  return query("SELECT value FROM settings WHERE name=$1", {name}).text(0, 0);
}

bool PostgresStorage::use_nonce(const std::string& nonce, std::time_t expires) {
  PostgresPool::Lease lease(pool_);
  if (++nonces_used_ % 1024 == 0)
    query("DELETE FROM used_nonces WHERE expires < floor(extract(epoch from now()))::bigint");
  // A repeatable commit (Commit::kRepeatable), in the statement's own transaction: every POST
  // uses a nonce, and waiting for a WAL flush for each would cost a round trip to the disk
  // per request. What a crash of the server could lose is a nonce whose request wrote
  // nothing durable after it (a durable commit flushes the WAL before it): replaying such a
  // request repeats what a client may repeat anyway.
  return query(
             "INSERT INTO used_nonces (nonce, expires) SELECT $1, $2::bigint FROM (SELECT "
             "set_config('synchronous_commit', 'off', true)) AS repeatable ON CONFLICT (nonce) "
             "DO NOTHING RETURNING 1",
             {nonce, std::to_string(static_cast<long long>(expires))})
             .rows() == 1;
}

std::optional<RenewalOverride> PostgresStorage::renewal_override() {
  PostgresPool::Lease lease(pool_);
  Result rows = query("SELECT value FROM settings WHERE name='renewal_override'");
  if (rows.rows() == 0) return std::nullopt;
  nlohmann::json value = nlohmann::json::parse(rows.text(0, 0), nullptr, false);
  if (!value.is_object()) return std::nullopt;
  return RenewalOverride{value.value("issued_before", std::time_t{0}),
                         value.value("start", std::time_t{0}), value.value("end", std::time_t{0})};
}

void PostgresStorage::set_renewal_override(const RenewalOverride& moved) {
  PostgresPool::Lease lease(pool_);
  nlohmann::json value{
      {"issued_before", moved.issued_before}, {"start", moved.start}, {"end", moved.end}};
  query(
      "INSERT INTO settings (name, value) VALUES ('renewal_override', $1) ON CONFLICT (name) DO "
      "UPDATE SET value = EXCLUDED.value",
      {value.dump()});
}

std::vector<AccountRecord> PostgresStorage::accounts() {
  PostgresPool::Lease lease(pool_);
  Result rows = query((std::string(kAccountColumns) + "ORDER BY id").c_str());
  std::vector<AccountRecord> out;
  for (int row = 0; row < rows.rows(); ++row) out.push_back(read_account(rows, row));
  return out;
}

long long PostgresStorage::add_rate_event(long long account, const std::string& kind,
                                          std::time_t at) {
  PostgresPool::Lease lease(pool_);
  if (++rate_events_added_ % 1024 == 0)
    query("DELETE FROM rate_events WHERE at < $1",
          {std::to_string(static_cast<long long>(at - kRateEventsKept))});
  return query("INSERT INTO rate_events (account, kind, at) VALUES ($1, $2, $3) RETURNING id",
               {std::to_string(account), kind, std::to_string(static_cast<long long>(at))})
      .integer(0, 0);
}

void PostgresStorage::set_rate_event_kind(long long id, const std::string& kind, std::time_t at) {
  PostgresPool::Lease lease(pool_);
  if (kind.empty()) {
    query("DELETE FROM rate_events WHERE id=$1", {std::to_string(id)});
    return;
  }
  query("UPDATE rate_events SET kind=$1, at=$2 WHERE id=$3",
        {kind, std::to_string(static_cast<long long>(at)), std::to_string(id)});
}

long long PostgresStorage::count_rate_events(long long account, const std::string& kind,
                                             std::time_t since) {
  PostgresPool::Lease lease(pool_);
  return query("SELECT COUNT(*) FROM rate_events WHERE account=$1 AND kind=$2 AND at>=$3",
               {std::to_string(account), kind, std::to_string(static_cast<long long>(since))})
      .integer(0, 0);
}

std::optional<CrlRecord> PostgresStorage::latest_crl() {
  PostgresPool::Lease lease(pool_);
  Result rows = query(
      "SELECT number, this_update, revoked_count, encode(der, 'hex') FROM crls ORDER BY number "
      "DESC LIMIT 1");
  if (rows.rows() == 0) return std::nullopt;
  return CrlRecord{rows.integer(0, 0), static_cast<std::time_t>(rows.integer(0, 1)),
                   rows.integer(0, 2), bytes_of_hex(rows.text(0, 3))};
}

void PostgresStorage::store_crl(const CrlRecord& crl) {
  PostgresPool::Lease lease(pool_);
  query("INSERT INTO crls (number, this_update, revoked_count, der) VALUES ($1, $2, $3, "
        "decode($4, 'hex'))",
        {std::to_string(crl.number), std::to_string(static_cast<long long>(crl.this_update)),
         std::to_string(crl.revoked_count), hex_of(crl.der)});
  // Only the newest is served; a few before it stay for the record.
  query("DELETE FROM crls WHERE number < $1", {std::to_string(crl.number - 10)});
}

bool PostgresStorage::run_exclusively(const std::string& name, bool wait,
                                      const std::function<void()>& body) {
  PostgresPool::Lease lease(pool_);
  // A session lock, taken before any transaction of `body` begins: that transaction's
  // snapshot then already sees what the previous holder committed.
  std::string key = lock_key(name);
  if (wait) {
    query("SELECT pg_advisory_lock($1::bigint)", {key});
  } else if (query("SELECT pg_try_advisory_lock($1::bigint)", {key}).text(0, 0) != "t") {
    return false;
  }
  try {
    body();
  } catch (...) {
    if (PQstatus(lease->conn) == CONNECTION_OK)
      PQclear(PQexecParams(lease->conn, "SELECT pg_advisory_unlock($1::bigint)", 1, nullptr,
                           std::array<const char*, 1>{key.c_str()}.data(), nullptr, nullptr, 0));
    throw;
  }
  query("SELECT pg_advisory_unlock($1::bigint)", {key});
  return true;
}

bool PostgresStorage::add_eab_key(const EabKeyRecord& key) {
  PostgresPool::Lease lease(pool_);
  return query("INSERT INTO eab_keys (kid, hmac_key, created, reusable) "
               "VALUES ($1, decode($2, 'hex'), $3, $4) ON CONFLICT (kid) DO NOTHING RETURNING 1",
               {key.kid, hex_of(key.hmac_key), std::to_string(static_cast<long long>(key.created)),
                key.reusable ? "true" : "false"})
             .rows() == 1;
}

std::optional<EabKeyRecord> PostgresStorage::eab_key(const std::string& kid) {
  PostgresPool::Lease lease(pool_);
  Result rows =
      query("SELECT kid, encode(hmac_key, 'hex'), created, reusable FROM eab_keys WHERE kid=$1",
            {kid});
  if (rows.rows() == 0) return std::nullopt;
  return EabKeyRecord{rows.text(0, 0), bytes_of_hex(rows.text(0, 1)),
                      static_cast<std::time_t>(rows.integer(0, 2)), rows.text(0, 3) == "t"};
}

std::vector<EabKeyRecord> PostgresStorage::eab_keys() {
  PostgresPool::Lease lease(pool_);
  Result rows = query(
      "SELECT kid, encode(hmac_key, 'hex'), created, reusable FROM eab_keys ORDER BY kid");
  std::vector<EabKeyRecord> out;
  for (int row = 0; row < rows.rows(); ++row)
    out.push_back({rows.text(row, 0), bytes_of_hex(rows.text(row, 1)),
                   static_cast<std::time_t>(rows.integer(row, 2)), rows.text(row, 3) == "t"});
  return out;
}

bool PostgresStorage::remove_eab_key(const std::string& kid) {
  PostgresPool::Lease lease(pool_);
  return query("DELETE FROM eab_keys WHERE kid=$1 RETURNING 1", {kid}).rows() == 1;
}

uint64_t PostgresStorage::log_append(const LogEntryRecord& entry) {
  PostgresPool::Lease lease(pool_);
  // Inside a SERIALIZABLE transaction: two instances appending at once conflict, and the
  // one that retries reads the new size.
  uint64_t index = log_size();
  query(
      "INSERT INTO ct_entries (idx, leaf_input, extra_data, leaf_hash, cert_sha256, serial) "
      "VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), decode($4, 'hex'), decode($5, 'hex'), "
      "$6)",
      {std::to_string(index), hex_of(entry.leaf_input), hex_of(entry.extra_data),
       hex_of(entry.leaf_hash), hex_of(entry.cert_sha256), entry.serial});
  return index;
}

uint64_t PostgresStorage::log_size() {
  PostgresPool::Lease lease(pool_);
  return static_cast<uint64_t>(
      query("SELECT COALESCE(MAX(idx) + 1, 0) FROM ct_entries").integer(0, 0));
}

std::vector<std::string> PostgresStorage::log_leaf_hashes(uint64_t count) {
  PostgresPool::Lease lease(pool_);
  Result rows = query("SELECT encode(leaf_hash, 'hex') FROM ct_entries WHERE idx < $1 ORDER BY idx",
                      {std::to_string(count)});
  std::vector<std::string> out;
  out.reserve(count);
  for (int row = 0; row < rows.rows(); ++row) out.push_back(bytes_of_hex(rows.text(row, 0)));
  if (out.size() != count)
    throw_operation_error("read the transparency log in", where(lease->conn),
                          "entries are missing below " + std::to_string(count));
  return out;
}

std::vector<LogEntryRecord> PostgresStorage::log_entries(uint64_t first, uint64_t last) {
  PostgresPool::Lease lease(pool_);
  Result rows = query(
      "SELECT idx, encode(leaf_input, 'hex'), encode(extra_data, 'hex') FROM ct_entries WHERE "
      "idx >= $1 AND idx <= $2 ORDER BY idx",
      {std::to_string(first), std::to_string(last)});
  std::vector<LogEntryRecord> out;
  for (int row = 0; row < rows.rows(); ++row) {
    LogEntryRecord entry;
    entry.index = static_cast<uint64_t>(rows.integer(row, 0));
    entry.leaf_input = bytes_of_hex(rows.text(row, 1));
    entry.extra_data = bytes_of_hex(rows.text(row, 2));
    out.push_back(std::move(entry));
  }
  return out;
}

std::optional<uint64_t> PostgresStorage::log_index_of_leaf_hash(const std::string& leaf_hash) {
  PostgresPool::Lease lease(pool_);
  Result rows =
      query("SELECT idx FROM ct_entries WHERE leaf_hash = decode($1, 'hex') ORDER BY idx LIMIT 1",
            {hex_of(leaf_hash)});
  if (rows.rows() == 0) return std::nullopt;
  return static_cast<uint64_t>(rows.integer(0, 0));
}

std::optional<uint64_t> PostgresStorage::log_index_of_certificate(const std::string& cert_sha256) {
  PostgresPool::Lease lease(pool_);
  Result rows =
      query("SELECT idx FROM ct_entries WHERE cert_sha256 = decode($1, 'hex') ORDER BY idx LIMIT 1",
            {hex_of(cert_sha256)});
  if (rows.rows() == 0) return std::nullopt;
  return static_cast<uint64_t>(rows.integer(0, 0));
}

}  // namespace xmppcert::ca
