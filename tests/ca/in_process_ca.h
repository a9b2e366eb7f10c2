// The foundation CA's WFE and RA in this process, without the binary, HTTPS or a network:
// AcmeService over SQLite in a temp dir (or a database on the test binary's PostgreSQL), a
// clock the test moves and a validator that decides each domain's fate (valid, invalid, or
// held until the test releases it). Requests are real JWS, signed by the client side's code,
// so the WFE's checks run as they do in production. A second InProcessCa made from a first is
// another instance of the same CA: its keys, its database (a connection of its own), its clock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "ca/log/transparency_log.h"
#include "ca/ra/acme_service.h"
#include "ca/ra/clock.h"
#include "ca/sa/storage.h"
#include "ca/va/validator.h"
#include "engine/keys.h"
#include "tests/ca/ca_fixture.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {

class FakeClock : public ca::Clock {
 public:
  FakeClock();  // starts at the system's time
  std::time_t now() const override { return now_; }
  void advance(std::time_t seconds) { now_ += seconds; }

 private:
  std::atomic<std::time_t> now_;
};

// Decides validations by domain: valid unless told otherwise.
class FakeValidator : public ca::ChallengeValidator {
 public:
  enum class Outcome { kValid, kInvalid, kHeld };
  void set(const std::string& domain, Outcome outcome);
  // Lets the held validations of `domain` finish as `outcome`.
  void release(const std::string& domain, Outcome outcome);
  void release_all();  // every domain valid again, held validations finish
  int validations() const { return validations_; }

  ca::Deadline deadline() const override;
  void validate(const ca::ChallengeToCheck& challenge, ca::Deadline deadline,
                ca::ValidationRecord* record = nullptr) override;
  // CAA: allowed unless refuse_caa(domain); caa_checks() counts the lookups.
  void check_caa(const std::string& domain, ca::Deadline) override;
  void refuse_caa(const std::string& domain, bool refused = true);
  int caa_checks() const { return caa_checks_; }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Outcome> outcomes_;
  std::atomic<int> validations_{0};
  std::atomic<int> caa_checks_{0};
  std::set<std::string> caa_refused_;
};

struct ClientAccount {
  PKeyPtr key;
  std::string kid;  // empty until created
};

// One reply as a client sees it.
struct Reply {
  int status = 0;
  nlohmann::json body;  // parsed; null when not JSON
  std::string raw;
  std::optional<std::string> header(const std::string& name) const;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string problem() const;  // "urn:ietf:params:acme:error:X" -> "X"; "" when none
};

class InProcessCa {
 public:
  // On PostgreSQL, check backend_missing(Backend::kPostgres) first.
  explicit InProcessCa(ca::ServiceOptions options = {}, Backend backend = Backend::kSqlite);
  // Another instance of `first`'s CA (destroy it before `first`).
  InProcessCa(ca::ServiceOptions options, InProcessCa& first);
  ~InProcessCa();

  static constexpr const char* kBaseUrl = "https://ca.test";
  FakeClock& clock;  // shared by every instance of one CA
  FakeValidator validator;

  Reply get(const std::string& path);
  // A JWS POST to `path` (or a full URL of this CA): kid when the account has one, jwk else;
  // an empty payload is POST-as-GET.
  Reply post(ClientAccount& account, const std::string& path, const std::string& payload);
  Reply post_json(ClientAccount& account, const std::string& path, const nlohmann::json& payload) {
    return post(account, path, payload.dump());
  }

  ClientAccount new_account();
  // newOrder for `domains`, expected to answer `expected`; the reply's body gets "url" (its
  // Location).
  Reply new_order(ClientAccount& account, const std::vector<std::string>& domains,
                  int expected = 201);
  // Asks for http-01 on the order's authorizations and waits until none is pending or
  // processing (the fake validator decides).
  void answer_challenges(ClientAccount& account, const nlohmann::json& order);
  Reply finalize(ClientAccount& account, const nlohmann::json& order);

  ca::Storage& storage() { return *storage_; }
  ca::AcmeService& service() { return *service_; }
  // Another connection to this CA's database, as another instance (or the operator) opens it.
  std::unique_ptr<ca::Storage> connect() const;
  // PostgreSQL's libpq connection string of this CA's database; empty on SQLite.
  const std::string& conninfo() const { return conninfo_; }

 private:
  InProcessCa(std::shared_ptr<FakeClock> shared_clock, std::shared_ptr<TempDir> dir);
  void start(ca::ServiceOptions options);
  std::string nonce();
  std::shared_ptr<FakeClock> clock_;
  std::shared_ptr<TempDir> dir_;  // the state dir, shared by the instances
  std::string conninfo_;          // PostgreSQL's; empty: SQLite in the state dir
  std::string password_;
  std::unique_ptr<ca::IssuingCa> ca_;
  std::unique_ptr<ca::Storage> storage_;
  std::unique_ptr<ca::TransparencyLog> log_;
  std::unique_ptr<ca::AcmeService> service_;
};

// The path of one of this CA's URLs.
std::string path_of(const std::string& url);

// What a client reads from a CRL (GET /crl, DER): its update times and cRLNumber.
struct CrlSeen {
  std::time_t last_update = 0, next_update = 0;
  long number = 0;
};
CrlSeen read_crl(const std::string& der);  // a failure of the test when it is no CRL

}  // namespace xmppcert::testing
