// The storage authority (boulder's sa/): the only code that touches the CA's database.
// Accounts, orders, authorizations (JSON documents keyed by their id) and every issued
// certificate, behind one interface with two implementations: SQLite in the state dir (the
// embedded default, sqlite_storage.h) and PostgreSQL for several instances on one database
// (postgres_storage.h). open_storage.h picks one from the CA config's "storage".
// A write returns only once it is durable, so a response never acknowledges what a crash
// could lose; except a transaction the caller marks Commit::kRepeatable (below).
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace xmppcert::ca {

struct AccountRecord {
  long long id = 0;
  std::string thumbprint;  // RFC 7638, of the current key
  nlohmann::json jwk;
  std::string status = "valid";  // valid | deactivated | revoked
  nlohmann::json contact = nlohmann::json::array();
  std::string eab_kid;
};

// What one request changes in an account (ra/accounts.cc, ra/account_keys.cc): only these
// fields are written, so that two requests racing on one account each keep the other's change.
struct AccountChange {
  std::optional<std::string> thumbprint;  // with jwk: a key rollover
  std::optional<nlohmann::json> jwk;
  std::optional<std::string> status;
  std::optional<nlohmann::json> contact;
};

// A certificate the CA signed, as stored (client side, a certificate's record.json is
// engine/store.h's CertificateRecord).
struct IssuedLeaf {
  std::string serial;  // lower-case hex
  long long account = 0;
  std::string order;
  std::string leaf_pem;
  std::time_t not_after = 0;
  std::time_t revoked_at = 0;  // 0: not revoked
  int reason = 0;
  std::time_t issued = 0;
};

// One entry of the CA's transparency log (ca/log/): entry `index` of its RFC 6962 tree.
struct LogEntryRecord {
  uint64_t index = 0;
  std::string leaf_input;   // the MerkleTreeLeaf, TLS encoding
  std::string extra_data;   // the chain up to the root, TLS encoding
  std::string leaf_hash;    // SHA-256(0x00 || leaf_input), 32 bytes
  std::string cert_sha256;  // of the certificate's DER, 32 bytes
  std::string serial;       // lower-case hex
};

// The operator's "renew now" (xmppcert-ca renew-now): certificates issued up to
// `issued_before` get the renewal window [start, end].
struct RenewalOverride {
  std::time_t issued_before = 0;
  std::time_t start = 0;
  std::time_t end = 0;
};

// The database cannot be reached now (down, restarting, connection lost): the CA answers 503
// with Retry-After instead of an internal error, and the next operation connects again.
class StorageUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The CRL every instance serves (ra/revocation.cc): signed by one instance at a time and
// stored, so that all serve the same one and its number only ever grows.
struct CrlRecord {
  long long number = 0;  // RFC 5280 cRLNumber
  std::time_t this_update = 0;
  long long revoked_count = 0;  // how many revocations it lists
  std::string der;
};

// An External Account Binding key (RFC 8555 §7.3.4) an operator added (xmppcert-ca eab add).
struct EabKeyRecord {
  std::string kid;
  std::string hmac_key;  // raw bytes; never printed after `eab add`
  std::time_t created = 0;
  bool reusable = false;  // may open any number of accounts (eab add --reusable)
};

// The schema version this build reads and writes; `xmppcert-ca migrate` brings a database
// to it and every backend refuses a newer one.
constexpr int kSchemaVersion = 5;

// How long rate events are kept: the longest window a limit counts (a week, per registered
// domain) and a day more.
constexpr std::time_t kRateEventsKept =
    8 * 86400;  // 2: used_nonces, 3: ct_entries, 4: rate_events, crls, eab_keys,
                // 5: eab_keys.reusable

// The queues of Storage::queued_transaction.
inline constexpr const char* kLogAppendQueue = "transparency-log-append";
inline constexpr const char* kRateEventsQueue = "rate-events";

// How durable a transaction is when it returns.
enum class Commit {
  // On disk (SQLite: the WAL fsynced; PostgreSQL: the WAL flushed): accounts, certificates,
  // revocations, the CRL, and by default everything.
  kDurable,
  // The steps a client repeats when they are gone (an order, an authorization, a
  // challenge's state, a used nonce): written, but not waited on to reach the disk, so a
  // power failure (SQLite) or a crash of the database server (PostgreSQL; never a crash of
  // the CA alone) may lose the last fraction of a second of them. The database keeps a prefix
  // of its commits, so the next durable commit makes every earlier one durable too: an
  // acknowledged certificate is never lost, nor the state its order reached.
  kRepeatable,
};

class Storage {
 public:
  virtual ~Storage() = default;

  virtual long long insert_account(const AccountRecord& account) = 0;
  virtual void update_account(const AccountRecord& account) = 0;
  virtual std::optional<AccountRecord> account(long long id) = 0;
  virtual std::optional<AccountRecord> account_by_thumbprint(const std::string& thumbprint) = 0;
  // The first account opened with EAB key id `kid`.
  virtual std::optional<AccountRecord> account_by_eab_kid(const std::string& kid) = 0;
  // Writes the fields `change` sets, and no other, when account `id` is valid and its key is
  // still `thumbprint`, in one statement; false when it is not (a key rollover or a
  // deactivation committed first, on any instance): nothing is written then.
  virtual bool change_account(long long id, const std::string& thumbprint,
                              const AccountChange& change) = 0;

  // kind: "order" | "authz"
  virtual void put_document(const std::string& kind, const std::string& id, long long account,
                            const nlohmann::json& doc) = 0;
  virtual std::optional<nlohmann::json> document(const std::string& kind,
                                                 const std::string& id) = 0;
  // Every document of `kind` with its id, as stored (xmppcert-ca list --authorizations).
  virtual std::vector<std::pair<std::string, nlohmann::json>> documents(
      const std::string& kind) = 0;

  virtual void insert_certificate(const IssuedLeaf& cert) = 0;
  virtual std::optional<IssuedLeaf> certificate(const std::string& serial) = 0;
  virtual void revoke_certificate(const std::string& serial, int reason, std::time_t when) = 0;
  virtual std::vector<IssuedLeaf> revoked_certificates() = 0;
  virtual long long count_certificates_since(long long account, std::time_t since) = 0;
  // Every certificate, oldest first (xmppcert-ca list).
  virtual std::vector<IssuedLeaf> certificates() = 0;
  // Every account, by id (xmppcert-ca accounts).
  virtual std::vector<AccountRecord> accounts() = 0;

  // What the rate limits count (ra/rate_limits.cc), one row per event so that every instance
  // on the database counts the same: `kind` ("certificate", "validating", "failed") for
  // `account` at `at` (the RA's clock). add_rate_event returns the event's id;
  // set_rate_event_kind changes it ("" removes it). Events older than kRateEventsKept are
  // forgotten.
  virtual long long add_rate_event(long long account, const std::string& kind, std::time_t at) = 0;
  virtual void set_rate_event_kind(long long id, const std::string& kind, std::time_t at) = 0;
  virtual long long count_rate_events(long long account, const std::string& kind,
                                      std::time_t since) = 0;

  // The newest stored CRL; store_crl adds one (its number above every stored one).
  virtual std::optional<CrlRecord> latest_crl() = 0;
  virtual void store_crl(const CrlRecord& crl) = 0;
  // Runs `body` while this connection holds the lock `name` that every instance on this
  // database shares (PostgreSQL: a session advisory lock, let go if the instance dies). When
  // another holds it: with `wait`, waits for it; without, returns false and `body` does not run.
  // SQLite: one file has one writer at a time already (BEGIN IMMEDIATE); `body` runs.
  virtual bool run_exclusively(const std::string& name, bool wait,
                               const std::function<void()>& body) = 0;

  // EAB keys kept in the database (besides those in the config file). add_eab_key: false when
  // the key id exists already; remove_eab_key: false when there was none.
  virtual bool add_eab_key(const EabKeyRecord& key) = 0;
  virtual std::optional<EabKeyRecord> eab_key(const std::string& kid) = 0;
  virtual std::vector<EabKeyRecord> eab_keys() = 0;
  virtual bool remove_eab_key(const std::string& kid) = 0;

  // What every instance on this database shares, made once: the stored value of `name`,
  // storing `candidate` when there is none yet.
  virtual std::string shared_secret(const std::string& name, const std::string& candidate) = 0;
  // Records `nonce` as used until `expires`; false when it was used before.
  virtual bool use_nonce(const std::string& nonce, std::time_t expires) = 0;

  virtual std::optional<RenewalOverride> renewal_override() = 0;
  virtual void set_renewal_override(const RenewalOverride& moved) = 0;

  // The transparency log's entries (table ct_entries, read through ca/log/log_store.h):
  // append-only, indexes 0, 1, 2, ... with no gap. log_append stores `entry` as the next one
  // (its index is ignored) and returns that index; call it inside the transaction that
  // stores the certificate, so that two appends never take the same index, queued
  // (queued_transaction(kLogAppendQueue, ...)) so that appenders wait for each other rather
  // than conflict.
  virtual uint64_t log_append(const LogEntryRecord& entry) = 0;
  virtual uint64_t log_size() = 0;
  // The leaf hashes of entries 0 .. count-1; an error when one is missing.
  virtual std::vector<std::string> log_leaf_hashes(uint64_t count) = 0;
  // Entries first .. last (inclusive), index, leaf_input and extra_data only.
  virtual std::vector<LogEntryRecord> log_entries(uint64_t first, uint64_t last) = 0;
  virtual std::optional<uint64_t> log_index_of_leaf_hash(const std::string& leaf_hash) = 0;
  virtual std::optional<uint64_t> log_index_of_certificate(const std::string& cert_sha256) = 0;

  // Runs `body` as one transaction that sees and writes as if it ran alone, also against
  // other CA instances on the same database (an order is finalized once). A backend may run
  // `body` again after a serialization conflict, so it must start from what it reads.
  template <typename Body>
  auto transaction(Body body) {
    return transaction(Commit::kDurable, std::move(body));
  }
  template <typename Body>
  auto transaction(Commit commit, Body body) {
    if constexpr (std::is_void_v<decltype(body())>) {
      run_transaction([&] { body(); }, commit);
    } else {
      std::optional<decltype(body())> result;
      run_transaction([&] { result.emplace(body()); }, commit);
      return std::move(*result);
    }
  }

  // transaction(commit, body) run while this connection holds the lock `queue` that every
  // instance on the database shares (run_exclusively), taken before the transaction begins:
  // transactions of one queue run one after the other and see each other's commits, where
  // at SERIALIZABLE they would conflict and be run again after a pause. For the hot spots
  // every instance writes: the transparency log's next index (kLogAppendQueue) and the rate
  // events counted before one is added (kRateEventsQueue).
  template <typename Body>
  auto queued_transaction(const char* queue, Commit commit, Body body) {
    if constexpr (std::is_void_v<decltype(body())>) {
      run_exclusively(queue, true, [&] { transaction(commit, std::move(body)); });
    } else {
      std::optional<decltype(body())> result;
      run_exclusively(queue, true, [&] { result.emplace(transaction(commit, std::move(body))); });
      return std::move(*result);
    }
  }

 protected:
  virtual void run_transaction(const std::function<void()>& body, Commit commit) = 0;
};

}  // namespace xmppcert::ca
