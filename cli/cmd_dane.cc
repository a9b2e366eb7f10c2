// xmppcert dane DOMAIN: the TLSA records (3 1 1) to publish for DOMAIN's XMPP ports.
#include <iostream>

#include "cli/certificate_for_domain.h"
#include "cli/commands.h"
#include "dane/dane.h"
#include "dane/dane_state.h"
#include "engine/errors.h"
#include "engine/store.h"

namespace xmppcert::cli {
extern const char* const kDaneUsage = R"(usage: xmppcert dane DOMAIN [--cert FILE] [--state-dir DIR]

Prints the DANE TLSA records (RFC 7673; usage 3 DANE-EE, selector 1 SPKI, matching type 1
SHA-256) for _5269._tcp.DOMAIN (s2s) and _5222._tcp.DOMAIN (c2s), in zone-file form, for
the current certificate of DOMAIN in the store, or for the certificate in FILE (e.g. the one
installed for the server). They pin the key: enroll with --reuse-key (config "reuse_key":
true) so that renewals keep it, or let xmppcert keep them true across key changes (config
"dane", xmppcert.conf(5): current + next key, switching only once the next key's record has
been visible for 2 x TTL; its next key's records are printed too); sign the zone with DNSSEC.

options:
  --config FILE         the JSON config whose "state_dir" to use

exit codes: 0 ok, 1 operation failed, 2 usage error (no certificate for DOMAIN)
)";

int run_dane(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args("dane", raw, {kCertOption, kConfigOption, kStateDirOption});
  if (args.positional().size() != 1) throw UsageError("dane: expected one DOMAIN");
  Session session = open_session(args);
  DomainName domain = parse_domain(args.positional().front());
  DomainCertificate cert = certificate_for_domain("dane", session, args, domain);
  std::string out = "; " + domain.ascii + ": key of " + cert.origin + "\n";
  for (const auto& record : tlsa_records(domain.ascii, cert.leaf.get())) out += record + "\n";
  if (!args.value("--cert")) {
    std::optional<CertificateRecord> stored = session.store->load(domain.ascii);
    std::optional<DaneState> state = stored ? dane_state_of(*stored) : std::nullopt;
    if (state && !state->next.empty()) {
      out += "; " + domain.ascii + ": pre-generated next key (config \"dane\")\n";
      for (const char* port : {"5269", "5222"})
        out += std::string("_") + port + "._tcp." + domain.ascii + ". IN TLSA 3 1 1 " +
               state->next + "\n";
    }
  }
  std::cout << out;
  return kExitOk;
}

}  // namespace xmppcert::cli
