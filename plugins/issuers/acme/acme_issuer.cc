#include "plugins/issuers/acme/acme_issuer.h"

#include "engine/certificate.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "jose/jws.h"
#include "plugins/issuers/acme/account.h"
#include "plugins/issuers/acme/authorization.h"
#include "plugins/issuers/acme/certificate.h"
#include "plugins/issuers/acme/order.h"
#include "plugins/issuers/acme/pinned_root.h"
#include "plugins/issuers/acme/renewal_info.h"
#include "plugins/issuers/acme/revocation.h"
#include "plugins/issuers/acme/solver_table.h"
#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {

struct AcmeIssuer::Session {
  Session(const AcmeSettings& s, std::string trust_file, const Clock& clock)
      : transport(s.directory, http_options_for(trust_file), clock),
        trust(std::move(trust_file)) {}
  static HttpOptions http_options_for(const std::string& trust_file) {
    HttpOptions options;
    options.ca_file = trust_file;
    return options;
  }
  Transport transport;
  std::string trust;  // the pinned root's file with root_sha256, else the "trust" setting
  Account account;
  std::unique_ptr<ChallengeSolver> solver;  // made on first issue(): it may bind a port
};

namespace {

// The account recorded in the state dir is used without asking the CA; only a CA that says it
// does not know it (it lost its state, the account was deactivated elsewhere) costs a lookup.
Order place_order_as_known_account(Transport& transport, Account& account,
                                   const AcmeSettings& settings, const std::filesystem::path& dir,
                                   const IssuanceRequest& request) {
  try {
    return place_order(transport, settings, request);
  } catch (const ProblemError& problem) {
    if (!account.recorded || !account_unknown(problem)) throw;
    log_line(request.name, "ACME account " + account.url + " refused (" + problem.type() +
                               "): looking the account up again");
    account = open_account(transport, settings, dir);
    log_line(request.name, "ACME account " + account.url);
    return place_order(transport, settings, request);
  }
}

}  // namespace

AcmeIssuer::AcmeIssuer(AcmeSettings settings, std::filesystem::path state_dir,
                       const Clock& clock)
    : settings_(std::move(settings)), state_dir_(std::move(state_dir)), clock_(&clock) {}

AcmeIssuer::~AcmeIssuer() = default;

std::string AcmeIssuer::trust_file() const {
  if (settings_.root_sha256.empty()) return settings_.trust;
  return ensure_pinned_root(settings_, account_dir()).string();
}

std::optional<TransparencyLogSource> AcmeIssuer::transparency_log() {
  if (settings_.transparency_log.empty()) return std::nullopt;
  return TransparencyLogSource{settings_.transparency_log, trust_file(),
                               settings_.transparency_log_poll, settings_.on_unexpected};
}

std::filesystem::path AcmeIssuer::account_dir() const {
  return account_dir_for(state_dir_, settings_.directory);
}

AcmeIssuer::Session& AcmeIssuer::session(bool recorded_account_will_do) {
  if (!session_) {
    auto session = std::make_unique<Session>(settings_, trust_file(), *clock_);
    session->account = recorded_account_will_do
                           ? open_recorded_account(session->transport, settings_, account_dir())
                           : open_account(session->transport, settings_, account_dir());
    session_ = std::move(session);
  }
  return *session_;
}

IssuedCertificate AcmeIssuer::issue(const IssuanceRequest& request) {
  // One progress line per step (-q hides them): an ACME run takes seconds to minutes.
  Session& s = session(/*recorded_account_will_do=*/true);
  log_line(request.name, "ACME account " + s.account.url);
  const SolverEntry& solver = solver_for(settings_, "acme");
  if (!s.solver) s.solver = solver.make(settings_);
  Transport& transport = s.transport;

  Order order =
      place_order_as_known_account(transport, s.account, settings_, account_dir(), request);
  log_line(request.name, "ACME order " + order.url + " for " +
                             std::to_string(order.requested.size()) + " name(s)");
  log_line(request.name, std::string("ACME challenges: answering with the ") + solver.name);
  authorize_order(transport, order, *s.solver, jose::jwk_thumbprint(s.account.key.get()));
  log_line(request.name, "ACME finalize: names validated, sending the CSR");
  std::string certificate_url = finalize_order(transport, order, request.csr);
  std::vector<X509Ptr> chain =
      download_certificate(transport, certificate_url, settings_.preferred_chain, request.name);

  IssuedCertificate issued;
  issued.cert_pem = certificate_pem(chain.front().get());
  for (size_t i = 1; i < chain.size(); ++i) issued.chain_pem += certificate_pem(chain[i].get());
  if (transport.directory().contains("renewalInfo"))
    renewal_time_from_ca(transport, chain.front().get(), request.name, issued);
  if (!settings_.root_sha256.empty()) issued.root_pem = read_file(s.trust);
  return issued;
}

void AcmeIssuer::roll_over_account_key() {
  Session& s = session();
  acme::roll_over_account_key(s.transport, s.account, account_dir());
}

void AcmeIssuer::deactivate_account() {
  Session& s = session();
  acme::deactivate_account(s.transport, s.account, account_dir());
  session_.reset();
}

std::optional<RenewalAdvice> AcmeIssuer::renewal_advice(X509* certificate) {
  Transport transport(settings_.directory, Session::http_options_for(trust_file()), *clock_);
  if (!transport.directory().contains("renewalInfo")) return std::nullopt;
  return fetch_renewal_advice(transport, certificate);
}

void AcmeIssuer::revoke(X509* certificate, EVP_PKEY* certificate_key, int reason) {
  Session& s = session();
  revoke_certificate(s.transport, s.account, certificate, certificate_key, reason);
}

}  // namespace xmppcert::acme
