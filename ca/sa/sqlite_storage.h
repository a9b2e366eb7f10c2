// The embedded storage: one SQLite database, <state>/ca.db, in WAL mode with
// synchronous=FULL, so that a response is sent only after what it acknowledges is on disk
// (kill -9 loses nothing acknowledged). One connection, one writer at a time (BEGIN
// IMMEDIATE), which also serializes instances that share the file. The schema version is
// SQLite's user_version.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "ca/sa/storage.h"

struct sqlite3;

namespace xmppcert::ca {

// Creates `path` empty with mode 0600 (whatever the umask) and returns true, or returns false
// when it exists: a database file is born private whoever opens it first (init, migrate,
// serve, restore), since it holds the accounts' keys and every record; SQLite gives its -wal
// and -shm files the database file's mode.
bool create_private_database_file(const std::string& path);

class SqliteStorage : public Storage {
 public:
  // Creates the schema or brings it to kSchemaVersion; refuses a newer one.
  explicit SqliteStorage(const std::filesystem::path& file);
  ~SqliteStorage() override;
  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;

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
  void execute(const char* sql);
  std::recursive_mutex mutex_;
  sqlite3* db_ = nullptr;
  std::string path_;
  unsigned long long nonces_used_ = 0;  // every 1024th use also forgets expired nonces
  unsigned long long rate_events_added_ = 0;  // every 1024th also forgets day-old events
};

}  // namespace xmppcert::ca
