// The shared storage: PostgreSQL through libpq, for several CA instances on one database
// (the database brings its own replication and backups). Every transaction runs at
// SERIALIZABLE and is run again on a serialization failure, so a read-check-write such as
// "finalize a ready order" happens once across instances. A lost connection is
// StorageUnavailable (503 with Retry-After); the next operation connects again. Each thread
// that uses the storage at a time has a connection of its own (postgres_pool.h). The schema
// is created and upgraded only by migrate() (xmppcert-ca migrate); opening a database whose
// schema is older or newer than this build's is refused with what to run.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "ca/sa/postgres_pool.h"
#include "ca/sa/storage.h"

struct pg_conn;
struct pg_result;

namespace xmppcert::ca {

class PostgresStorage : public Storage {
 public:
  // `conninfo`: a libpq connection string; `password`: empty for none (libpq's own files may
  // still supply one). Connects and checks the schema version unless `for_migration`.
  PostgresStorage(std::string conninfo, std::string password, bool for_migration = false);
  ~PostgresStorage() override;
  PostgresStorage(const PostgresStorage&) = delete;
  PostgresStorage& operator=(const PostgresStorage&) = delete;

  // Creates or upgrades the schema to `target` (idempotent; one migration at a time under an
  // advisory lock); refuses a newer schema. Returns the version found before. Only tests
  // stop below kSchemaVersion (to test the upgrade from an older one).
  int migrate(int target = kSchemaVersion);

  // How many times a transaction lost a serialization conflict and was run again.
  unsigned long long serialization_retries() const { return serialization_retries_; }

  long long insert_account(const AccountRecord& account) override;
  void update_account(const AccountRecord& account) override;
  std::optional<AccountRecord> account(long long id) override;
  std::optional<AccountRecord> account_by_thumbprint(const std::string& thumbprint) override;
  std::optional<AccountRecord> account_by_eab_kid(const std::string& kid) override;
  bool change_account(long long id, const std::string& thumbprint,
                      const AccountChange& change) override;

  void put_document(const std::string& kind, const std::string& id, long long account,
                    const nlohmann::json& doc) override;
  std::optional<nlohmann::json> document(const std::string& kind, const std::string& id) override;
  std::vector<std::pair<std::string, nlohmann::json>> documents(const std::string& kind) override;

  void insert_certificate(const IssuedLeaf& cert) override;
  std::optional<IssuedLeaf> certificate(const std::string& serial) override;
  void revoke_certificate(const std::string& serial, int reason, std::time_t when) override;
  std::vector<IssuedLeaf> revoked_certificates() override;
  long long count_certificates_since(long long account, std::time_t since) override;
  std::vector<IssuedLeaf> certificates() override;
  std::vector<AccountRecord> accounts() override;

  long long add_rate_event(long long account, const std::string& kind, std::time_t at) override;
  void set_rate_event_kind(long long id, const std::string& kind, std::time_t at) override;
  long long count_rate_events(long long account, const std::string& kind,
                              std::time_t since) override;

  std::optional<CrlRecord> latest_crl() override;
  void store_crl(const CrlRecord& crl) override;
  bool run_exclusively(const std::string& name, bool wait,
                       const std::function<void()>& body) override;

  bool add_eab_key(const EabKeyRecord& key) override;
  std::optional<EabKeyRecord> eab_key(const std::string& kid) override;
  std::vector<EabKeyRecord> eab_keys() override;
  bool remove_eab_key(const std::string& kid) override;

  std::string shared_secret(const std::string& name, const std::string& candidate) override;
  bool use_nonce(const std::string& nonce, std::time_t expires) override;

  std::optional<RenewalOverride> renewal_override() override;
  void set_renewal_override(const RenewalOverride& moved) override;

  uint64_t log_append(const LogEntryRecord& entry) override;
  uint64_t log_size() override;
  std::vector<std::string> log_leaf_hashes(uint64_t count) override;
  std::vector<LogEntryRecord> log_entries(uint64_t first, uint64_t last) override;
  std::optional<uint64_t> log_index_of_leaf_hash(const std::string& leaf_hash) override;
  std::optional<uint64_t> log_index_of_certificate(const std::string& cert_sha256) override;

 protected:
  void run_transaction(const std::function<void()>& body, Commit commit) override;

 private:
  class Result;
  // (Re)connects `connection` unless it is connected and well.
  void connect(PostgresConnection& connection);
  int schema_version();  // 0: no schema yet
  // On the connection this thread holds (a PostgresPool::Lease of pool_).
  Result query(const char* sql, const std::vector<std::string>& params = {});

  std::string conninfo_;
  std::string password_;
  PostgresPool pool_;
  std::atomic<unsigned long long> nonces_used_ = 0;  // every 1024th use also forgets expired nonces
  std::atomic<unsigned long long> rate_events_added_ = 0;  // every 1024th forgets day-old events
  std::atomic<unsigned long long> serialization_retries_ = 0;
};

}  // namespace xmppcert::ca
