#include "tests/ca/in_process_ca.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>

#include "ca/ca_keys.h"
#include "ca/problem.h"
#include "ca/sa/postgres_storage.h"
#include "ca/sa/sqlite_storage.h"
#include "engine/fs.h"
#include "tests/ca/raw_acme_client.h"

namespace xmppcert::testing {

FakeClock::FakeClock() : now_(std::time(nullptr)) {}

void FakeValidator::set(const std::string& domain, Outcome outcome) {
  std::lock_guard guard(mutex_);
  outcomes_[domain] = outcome;
}

void FakeValidator::release(const std::string& domain, Outcome outcome) {
  set(domain, outcome);
  changed_.notify_all();
}

void FakeValidator::release_all() {
  {
    std::lock_guard guard(mutex_);
    outcomes_.clear();
  }
  changed_.notify_all();
}

ca::Deadline FakeValidator::deadline() const {
  return std::chrono::steady_clock::now() + std::chrono::seconds(10);
}

void FakeValidator::validate(const ca::ChallengeToCheck& challenge, ca::Deadline deadline,
                             ca::ValidationRecord*) {
  ++validations_;
  std::unique_lock lock(mutex_);
  auto outcome = [&] {
    auto found = outcomes_.find(challenge.domain);
    return found == outcomes_.end() ? Outcome::kValid : found->second;
  };
  // Bounded: a test that forgets to release fails as a validation timeout, not a hang.
  changed_.wait_until(lock, deadline, [&] { return outcome() != Outcome::kHeld; });
  if (outcome() == Outcome::kHeld)
    throw ca::AcmeProblem("connection", challenge.domain + ": held past the deadline");
  if (outcome() == Outcome::kInvalid)
    throw ca::AcmeProblem("incorrectResponse", challenge.domain + ": the fake validator says no",
                          403);
}

void FakeValidator::check_caa(const std::string& domain, ca::Deadline) {
  ++caa_checks_;
  std::lock_guard guard(mutex_);
  if (caa_refused_.contains(domain))
    throw ca::AcmeProblem("caa", "CAA records at " + domain + " do not allow this CA", 403);
}

void FakeValidator::refuse_caa(const std::string& domain, bool refused) {
  std::lock_guard guard(mutex_);
  if (refused)
    caa_refused_.insert(domain);
  else
    caa_refused_.erase(domain);
}

std::optional<std::string> Reply::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return std::nullopt;
}

std::string Reply::problem() const {
  if (!body.is_object() || !body.contains("type")) return "";
  std::string type = body["type"];
  const std::string prefix = "urn:ietf:params:acme:error:";
  return type.starts_with(prefix) ? type.substr(prefix.size()) : type;
}

std::string path_of(const std::string& url) {
  const std::string base = InProcessCa::kBaseUrl;
  return url.starts_with(base) ? url.substr(base.size()) : url;
}

namespace {

Reply reply_of(const ca::WebResponse& response) {
  Reply reply;
  reply.status = response.status;
  reply.raw = response.body;
  reply.headers = response.headers;
  reply.body = nlohmann::json::parse(response.body, nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

}  // namespace

InProcessCa::InProcessCa(std::shared_ptr<FakeClock> shared_clock, std::shared_ptr<TempDir> dir)
    : clock(*shared_clock), clock_(std::move(shared_clock)), dir_(std::move(dir)) {}

InProcessCa::InProcessCa(ca::ServiceOptions options, Backend backend)
    : InProcessCa(std::make_shared<FakeClock>(), std::make_shared<TempDir>()) {
  ca::init_ca({dir_->path() / "state", "ca.test", {}});
  if (backend == Backend::kPostgres) {
    conninfo_ = PostgresServer::shared().create_database();
    password_ = read_file(PostgresServer::shared().password_file());
    while (!password_.empty() && password_.back() == '\n') password_.pop_back();
    ca::PostgresStorage(conninfo_, password_, true).migrate();
  }
  start(std::move(options));
}

InProcessCa::InProcessCa(ca::ServiceOptions options, InProcessCa& first)
    : InProcessCa(first.clock_, first.dir_) {
  conninfo_ = first.conninfo_;
  password_ = first.password_;
  start(std::move(options));
}

void InProcessCa::start(ca::ServiceOptions options) {
  ca_ = std::make_unique<ca::IssuingCa>(ca::load_issuing_ca(dir_->path() / "state"));
  storage_ = connect();
  log_ = std::make_unique<ca::TransparencyLog>(dir_->path() / "state", *storage_, *ca_);
  options.base_url = kBaseUrl;
  options.clock = &clock;
  options.shared_nonces = !conninfo_.empty();
  service_ = std::make_unique<ca::AcmeService>(options, *ca_, *storage_, validator, *log_);
}

std::unique_ptr<ca::Storage> InProcessCa::connect() const {
  if (conninfo_.empty()) return std::make_unique<ca::SqliteStorage>(dir_->path() / "state" / "ca.db");
  return std::make_unique<ca::PostgresStorage>(conninfo_, password_);
}

InProcessCa::~InProcessCa() {
  // Held validations end first, so that the service's work queue can stop.
  validator.release_all();
  service_.reset();
}

Reply InProcessCa::get(const std::string& path) {
  return reply_of(service_->handle({"GET", path_of(path), "", "", ""}));
}

std::string InProcessCa::nonce() {
  auto response = service_->handle({"HEAD", "/acme/new-nonce", "", "", ""});
  for (const auto& [key, value] : response.headers)
    if (key == "Replay-Nonce") return value;
  ADD_FAILURE() << "no Replay-Nonce on HEAD new-nonce";
  return "";
}

Reply InProcessCa::post(ClientAccount& account, const std::string& path,
                        const std::string& payload) {
  std::string target = path_of(path);
  std::string body = jose::sign_jws(account.key.get(),
                                    account.kid.empty() ? std::nullopt : std::optional(account.kid),
                                    nonce(), kBaseUrl + target, payload);
  return reply_of(service_->handle({"POST", target, "", "application/jose+json", body}));
}

ClientAccount InProcessCa::new_account() {
  ClientAccount account{generate_private_key(KeyType::kEcP256), ""};
  Reply reply = post(account, "/acme/new-account", R"({"termsOfServiceAgreed":true})");
  EXPECT_EQ(reply.status, 201) << reply.raw;
  account.kid = reply.header("Location").value_or("");
  return account;
}

Reply InProcessCa::new_order(ClientAccount& account, const std::vector<std::string>& domains,
                             int expected) {
  nlohmann::json identifiers = nlohmann::json::array();
  for (const auto& domain : domains) identifiers.push_back({{"type", "dns"}, {"value", domain}});
  Reply reply = post_json(account, "/acme/new-order", nlohmann::json{{"identifiers", identifiers}});
  EXPECT_EQ(reply.status, expected) << reply.raw;
  if (reply.body.is_object()) reply.body["url"] = reply.header("Location").value_or("");
  return reply;
}

void InProcessCa::answer_challenges(ClientAccount& account, const nlohmann::json& order) {
  for (const auto& authz_url : order["authorizations"]) {
    std::string url = path_of(authz_url);
    std::string challenge = "/acme/chall/" + url.substr(std::string("/acme/authz/").size()) +
                            "/http-01";
    post(account, challenge, "{}");
    EXPECT_TRUE(eventually(
        [&] {
          std::string status = post(account, url, "").body.value("status", "");
          return status != "pending";
        },
        std::chrono::seconds(10)));
  }
}

Reply InProcessCa::finalize(ClientAccount& account, const nlohmann::json& order) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  std::vector<std::string> names;
  for (const auto& identifier : order["identifiers"]) names.push_back(identifier["value"]);
  std::vector<DomainName> domains;
  for (const auto& name : names) domains.push_back(parse_domain(name));
  return post_json(account, order["finalize"].get<std::string>(),
                   nlohmann::json{{"csr", csr_b64(key.get(), identities_for(domains, {}))}});
}

namespace {
std::time_t crl_time(const ASN1_TIME* time) {
  struct tm tm {};
  ASN1_TIME_to_tm(time, &tm);
  return timegm(&tm);
}
}  // namespace

CrlSeen read_crl(const std::string& der) {
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509_CRL* crl = d2i_X509_CRL(nullptr, &cursor, static_cast<long>(der.size()));
  EXPECT_NE(crl, nullptr);
  if (!crl) return {};
  CrlSeen seen{crl_time(X509_CRL_get0_lastUpdate(crl)), crl_time(X509_CRL_get0_nextUpdate(crl))};
  auto* number =
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr));
  if (number) seen.number = ASN1_INTEGER_get(number);
  ASN1_INTEGER_free(number);
  X509_CRL_free(crl);
  return seen;
}

}  // namespace xmppcert::testing
