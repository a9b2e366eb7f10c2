// The storage authority (boulder's sa/): accounts, orders, authorizations and every issued
// certificate in one SQLite database, <state>/ca.db, in WAL mode with synchronous=FULL, so
// that a response is sent only after what it acknowledges is on disk (kill -9 loses
// nothing acknowledged). Orders and authorizations are JSON documents keyed by their id.
#pragma once

#include <ctime>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

struct sqlite3;

namespace xmppcert::ca {

struct AccountRecord {
  long long id = 0;
  std::string thumbprint;  // RFC 7638, of the current key
  nlohmann::json jwk;
  std::string status = "valid";  // valid | deactivated | revoked
  nlohmann::json contact = nlohmann::json::array();
  std::string eab_kid;
};

struct CertificateRecord {
  std::string serial;  // lower-case hex
  long long account = 0;
  std::string order;
  std::string leaf_pem;
  std::time_t not_after = 0;
  std::time_t revoked_at = 0;  // 0: not revoked
  int reason = 0;
  std::time_t issued = 0;
};

// The operator's "renew now" (xmppcert-ca renew-now): certificates issued up to
// `issued_before` get the renewal window [start, end].
struct RenewalOverride {
  std::time_t issued_before = 0;
  std::time_t start = 0;
  std::time_t end = 0;
};

class Storage {
 public:
  explicit Storage(const std::filesystem::path& file);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  long long insert_account(const AccountRecord& account);
  void update_account(const AccountRecord& account);
  std::optional<AccountRecord> account(long long id);
  std::optional<AccountRecord> account_by_thumbprint(const std::string& thumbprint);

  // kind: "order" | "authz"
  void put_document(const std::string& kind, const std::string& id, long long account,
                    const nlohmann::json& doc);
  std::optional<nlohmann::json> document(const std::string& kind, const std::string& id);

  void insert_certificate(const CertificateRecord& cert);
  std::optional<CertificateRecord> certificate(const std::string& serial);
  void revoke_certificate(const std::string& serial, int reason, std::time_t when);
  std::vector<CertificateRecord> revoked_certificates();
  long long count_certificates_since(long long account, std::time_t since);

  std::optional<RenewalOverride> renewal_override();
  void set_renewal_override(const RenewalOverride& moved);

  // body(sqlite3*, const std::string& path) with the lock held: for the tables of the
  // transparency log (ca/log/log_store.h), inside transaction() or on its own.
  template <typename Body>
  auto with_database(Body body) {
    std::lock_guard guard(mutex_);
    return body(db_, path_);
  }

  // Runs `body` in one transaction (BEGIN IMMEDIATE ... COMMIT), the lock held throughout.
  template <typename Body>
  auto transaction(Body body) {
    std::lock_guard guard(mutex_);
    execute("BEGIN IMMEDIATE");
    try {
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        execute("COMMIT");
      } else {
        auto result = body();
        execute("COMMIT");
        return result;
      }
    } catch (...) {
      execute("ROLLBACK");
      throw;
    }
  }

 private:
  void execute(const char* sql);
  std::recursive_mutex mutex_;
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace xmppcert::ca
