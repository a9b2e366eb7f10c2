#include "plugins/issuers/acme/solver_table.h"

#include "engine/errors.h"
#include "plugins/issuers/acme/tls_alpn_responder.h"

namespace xmppcert::acme {
namespace {

const SolverEntry kSolvers[] = {
    {"http-01 webroot", "webroot", [](const AcmeSettings& s) { return !s.webroot.empty(); },
     [](const AcmeSettings& s) -> std::unique_ptr<ChallengeSolver> {
       return std::make_unique<WebrootWriter>(s.webroot);
     }},
    {"dns-01 hook", "dns01_hook", [](const AcmeSettings& s) { return !s.dns01_hook.empty(); },
     [](const AcmeSettings& s) -> std::unique_ptr<ChallengeSolver> {
       return std::make_unique<Dns01Hook>(s.dns01_hook);
     }},
    {"dns-01 RFC 2136 update", "rfc2136_server",
     [](const AcmeSettings& s) { return !s.rfc2136_server.empty(); },
     [](const AcmeSettings& s) -> std::unique_ptr<ChallengeSolver> {
       return std::make_unique<Rfc2136Update>(s.rfc2136_server, s.rfc2136_port, s.rfc2136_key_file);
     }},
    {"tls-alpn-01 responder", "tls_alpn01_port",
     [](const AcmeSettings& s) { return s.tls_alpn01_port != 0; },
     [](const AcmeSettings& s) -> std::unique_ptr<ChallengeSolver> {
       return std::make_unique<TlsAlpnResponder>(s.tls_alpn01_address, s.tls_alpn01_port);
     }},
    {"http-01 responder", nullptr, [](const AcmeSettings&) { return true; },
     [](const AcmeSettings& s) -> std::unique_ptr<ChallengeSolver> {
       return std::make_unique<Http01Responder>(s.http01_address, s.http01_port);
     }},
};

}  // namespace

std::span<const SolverEntry> solver_table() { return kSolvers; }

const SolverEntry& solver_for(const AcmeSettings& settings, const std::string& where) {
  const SolverEntry* chosen = nullptr;
  std::string keys;
  int set = 0;
  for (const auto& entry : kSolvers) {
    if (!entry.selected_by) {
      if (!chosen) chosen = &entry;
      continue;
    }
    keys += keys.empty() ? "" : ", ";
    keys += entry.selected_by;
    if (entry.chosen(settings)) {
      ++set;
      chosen = &entry;
    }
  }
  if (set > 1) {
    size_t last = keys.rfind(", ");
    throw UsageError(where + ": choose one of " + keys.replace(last, 2, " and "));
  }
  return *chosen;
}

}  // namespace xmppcert::acme
