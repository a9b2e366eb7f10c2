// xmppcert posh DOMAIN: the RFC 7711 documents xmpp-server.json and xmpp-client.json.
#include <algorithm>
#include <ctime>
#include <iostream>

#include "cli/certificate_for_domain.h"
#include "cli/commands.h"
#include "dane/posh.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert::cli {
extern const char* const kPoshUsage =
    R"(usage: xmppcert posh DOMAIN [--out DIR] [--expires DURATION] [--cert FILE] [--state-dir DIR]

Writes the POSH documents (RFC 7711, RFC 7712) for DOMAIN: DIR/xmpp-server.json and
DIR/xmpp-client.json, each {"fingerprints":[{"sha-256":"..."}],"expires":SECONDS} naming the
SHA-256 of the current certificate of DOMAIN in the store (or of FILE). Serve them at
https://DOMAIN/.well-known/posh/; DIR defaults to the current folder. "expires" (how long
peers may cache the document) is --expires (default 1d), cut to the time left before the
certificate expires; rewrite the documents after each renewal (from a reload command).

options:
  --config FILE         the JSON config whose "state_dir" to use

exit codes: 0 ok, 1 operation failed, 2 usage error (no certificate for DOMAIN)
)";

int run_posh(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args(
      "posh", raw,
      {{"--out", true}, {"--expires", true}, kCertOption, kConfigOption, kStateDirOption});
  if (args.positional().size() != 1) throw UsageError("posh: expected one DOMAIN");
  Session session = open_session(args);
  DomainName domain = parse_domain(args.positional().front());
  DomainCertificate cert = certificate_for_domain("posh", session, args, domain);
  auto expires = parse_duration(args.value("--expires").value_or("1d"));
  std::time_t left = inspect_certificate(cert.leaf.get()).not_after - std::time(nullptr);
  if (left <= 0)
    throw_operation_error("publish POSH for", domain.ascii, cert.origin + " has expired");
  expires = std::min(expires, std::chrono::seconds(left));
  fs::path out = args.value("--out").value_or(".");
  std::string document = posh_document(cert.leaf.get(), expires);
  for (const char* name : {"xmpp-server.json", "xmpp-client.json"}) {
    write_file_atomically(out / name, document, with_mode(0644));
    std::cout << "wrote " << (out / name).string() << "\n";
  }
  return kExitOk;
}

}  // namespace xmppcert::cli
