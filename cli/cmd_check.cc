// xmppcert check: what a server really serves on an XMPP port, after STARTTLS, compared with
// the store and verified against a CA.
#include <openssl/x509_vfy.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/check_dane.h"
#include "cli/commands.h"
#include "cli/transparency_log_check.h"
#include "cli/session.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/identity.h"
#include "engine/starttls_probe.h"
#include "engine/store.h"
#include "plugins/issuers/local/local_ca.h"

namespace xmppcert::cli {
extern const char* const kCheckUsage = R"(usage: xmppcert check DOMAIN [options]
       xmppcert check --log [--state-dir DIR] [--config FILE]

Connects like a client (or, with --s2s, like a peer server), sends a stream header to
DOMAIN, negotiates STARTTLS with SNI = DOMAIN and reports the certificate served: names,
expiry, chain, whether it covers DOMAIN, whether it verifies against the CA, whether it
carries clientAuth (needed for s2s certificate authentication), and whether it is the
certificate xmppcert stored for DOMAIN. With --dane, also whether the served key matches a
"3 1 1" TLSA record at _PORT._tcp.HOST (HOST: --host when a name, else DOMAIN), asked through
the system resolver with the answer's AD bit (DNSSEC-validated) shown, and whether the POSH
document names the served certificate.

With --log and no DOMAIN: reads the transparency logs the certificates' issuers name
("transparency_log"), as xmppcertd does at each poll: verifies the tree head's signature and
its consistency with the last one seen, reads the new entries, and raises an alarm for a
certificate naming one of our names that this host did not request. Prints the open alarms;
exit code 1 while one is open (`xmppcert ack`) or a log could not be read.

options:
  --host HOST       where to connect (default: DOMAIN)
  --port PORT       default 5222, or 5269 with --s2s
  --s2s             connect as a server (jabber:server)
  --trust PEM       verify against this CA bundle (default: the root stored with the
                    certificate carrying DOMAIN, e.g. an issuer's pinned root; else
                    the local CA of --state-dir)
  --json            one JSON object instead of text
  --dane            check the TLSA records and the POSH document too
  --resolver ADDR   ask this DNS resolver for TLSA (default: the system resolver)
  --resolver-port PORT   its port (default 53)
  --posh-url URL    the POSH document (default https://DOMAIN/.well-known/posh/
                    xmpp-server.json with --s2s, else xmpp-client.json)
  --posh-ca PEM     trust this CA bundle for the POSH URL (default: the system's)
  --state-dir DIR   state directory (default /var/lib/xmppcert)
  --timeout DURATION   for the whole probe (default 10s)
  --config FILE         the JSON config whose "state_dir" to use
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)

exit codes: 0 served and sound (covers DOMAIN, verifies, matches the store when stored),
1 a problem found or the probe failed, 2 usage error. With --dane a validated TLSA match
stands in for verification against a CA (RFC 7673), no validated match is a problem, and so
is a POSH document that does not name the served certificate (a missing one is not).
)";

namespace {

struct Verification {
  bool ok = false;
  std::string detail;  // the CA file, or why not
};

Verification verify_chain(const ServedChain& served, const std::string& domain,
                          const std::optional<fs::path>& trust, bool s2s) {
  if (!trust) return {false, "no CA to verify against (use --trust)"};
  std::vector<X509Ptr> roots = parse_certificate_chain(read_file(*trust), trust->string());
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  for (const auto& root : roots) X509_STORE_add_cert(store.get(), root.get());
  auto free_stack = [](STACK_OF(X509) * stack) { sk_X509_free(stack); };
  std::unique_ptr<STACK_OF(X509), decltype(free_stack)> untrusted(sk_X509_new_null(), free_stack);
  for (size_t i = 1; i < served.chain.size(); ++i)
    sk_X509_push(untrusted.get(), served.chain[i].get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), served.chain.front().get(), untrusted.get());
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set1_host(param, domain.c_str(), domain.size());
  X509_VERIFY_PARAM_set_purpose(param, s2s ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) == 1) return {true, trust->string()};
  return {false, std::string(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))) +
                     " (trust: " + trust->string() + ")"};
}

std::string join(const std::vector<std::string>& items, const std::string& prefix) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + prefix + item;
  return out;
}

}  // namespace

int run_check(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args("check", raw,
                               {{"--host", true},
                                {"--port", true},
                                {"--s2s", false},
                                {"--trust", true},
                                {"--json", false},
                                {"--dane", false},
                                {"--resolver", true},
                                {"--resolver-port", true},
                                {"--posh-url", true},
                                {"--posh-ca", true},
                                {"--timeout", true},
                                {"--log", false},
                                kConfigOption,
                                kStateDirOption,
                                kLockWaitOption});
  if (args.has("--log") && args.positional().empty())
    return check_transparency_logs(open_session(args));
  if (args.positional().size() != 1) throw UsageError("check: expected one DOMAIN");
  Session session = open_session(args);
  DomainName domain = parse_domain(args.positional().front());
  bool s2s = args.has("--s2s");
  ProbeTarget target{args.value("--host").value_or(domain.ascii), s2s ? 5269 : 5222, domain.ascii,
                     s2s};
  if (auto port = args.value("--port")) target.port = cmdline::parse_port(*port, "check: --port");
  auto timeout = parse_duration(args.value("--timeout").value_or("10s"));
  // The CA to verify against: --trust, else the root stored with the certificate that
  // carries DOMAIN (an issuer's pinned root, the local CA's), else the local CA's.
  std::optional<fs::path> trust;
  if (auto t = args.value("--trust")) trust = *t;
  for (const auto& record : issued_records_carrying(*session.store, domain.ascii)) {
    if (trust) break;
    fs::path root = session.store->version(record.name, record.current_version).root_path();
    if (std::error_code error; fs::exists(root, error)) trust = root;
  }
  if (fs::path root = LocalCa::dir_in(session.state_dir) / "root.pem"; !trust && fs::exists(root))
    trust = root;

  ServedChain served = probe_starttls(target, timeout);
  X509* leaf = served.chain.front().get();
  CertificateInfo info = inspect_certificate(leaf);
  bool covers = X509_check_host(leaf, domain.ascii.c_str(), domain.ascii.size(), 0, nullptr) == 1;
  Verification verified = verify_chain(served, domain.ascii, trust, s2s);

  std::string store_state = "not in the store";
  bool store_ok = true;
  for (const auto& record : issued_records_carrying(*session.store, domain.ascii)) {
    store_ok = record.certificate.sha256_fingerprint == info.sha256_fingerprint;
    store_state = (store_ok ? "matches \"" : "differs from \"") + record.name + "\" v" +
                  std::to_string(record.current_version);
    if (store_ok) break;
  }
  std::optional<DaneCheck> dane;
  if (args.has("--dane")) dane = check_dane(target, leaf, args);
  bool trusted = dane ? dane->tlsa_ok && dane->posh_ok : verified.ok;  // RFC 7673: DANE-EE
  bool ok = covers && trusted && store_ok && (!s2s || info.client_auth);
  std::time_t now = std::time(nullptr);

  if (args.has("--json")) {
    nlohmann::json out = {{"domain", domain.ascii},
                          {"endpoint", describe_target(target)},
                          {"tls_version", served.tls_version},
                          {"subject", info.subject},
                          {"issuer", info.issuer},
                          {"dns_ids", info.identities.dns_ids},
                          {"srv_ids", info.identities.srv_ids},
                          {"xmpp_addrs", info.identities.xmpp_addrs},
                          {"not_after", format_utc(info.not_after)},
                          {"expired", info.not_after < now},
                          {"chain_length", served.chain.size()},
                          {"covers_domain", covers},
                          {"verified", verified.ok},
                          {"verification", verified.detail},
                          {"client_auth", info.client_auth},
                          {"store", store_state},
                          {"sha256_fingerprint", info.sha256_fingerprint},
                          {"ok", ok}};
    if (dane) out["dane"] = dane->json;
    std::cout << out.dump() << "\n";
  } else {
    std::cout << domain.ascii << " at " << describe_target(target) << ": " << served.tls_version
              << "\n  subject:     " << info.subject << "\n  issuer:      " << info.issuer
              << "\n  names:       " << join(info.identities.dns_ids, "DNS:")
              << (info.identities.srv_ids.empty() ? "" : ", ")
              << join(info.identities.srv_ids, "SRV:")
              << (info.identities.xmpp_addrs.empty() ? "" : ", ")
              << join(info.identities.xmpp_addrs, "XmppAddr:")
              << "\n  expires:     " << format_utc(info.not_after)
              << (info.not_after < now ? " (EXPIRED)" : "")
              << "\n  chain:       " << served.chain.size() << " certificate(s) sent"
              << "\n  covers " << domain.ascii << ": " << (covers ? "yes" : "NO")
              << "\n  verifies:    " << (verified.ok ? "yes, against " : "NO: ") << verified.detail
              << "\n  clientAuth:  "
              << (info.client_auth ? "yes"
                                   : "NO (peers requiring certificate authentication on s2s "
                                     "will refuse it)")
              << "\n  store:       " << store_state
              << "\n  sha256:      " << info.sha256_fingerprint << (dane ? dane->text : "") << "\n";
  }
  return ok ? kExitOk : kExitFailed;
}

}  // namespace xmppcert::cli
