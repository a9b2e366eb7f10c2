// xmppcert enroll-client user@domain: a key and a client certificate from the local CA for
// SASL EXTERNAL on c2s (XEP-0178): XmppAddr = the bare JID, EKU clientAuth.
#include <iostream>

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/csr.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/identity.h"
#include "engine/keys.h"
#include "engine/state_lock.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "plugins/issuers/local/local_ca.h"

namespace xmppcert::cli {
extern const char* const kEnrollClientUsage =
    R"(usage: xmppcert enroll-client USER@DOMAIN [--out DIR] [--key-type TYPE] [--validity DURATION]
                              [--state-dir DIR]

Issues a client certificate from the embedded local CA (xmppcert-ca stands in for it) for
SASL EXTERNAL logins (XEP-0178): its only name is the XmppAddr USER@DOMAIN (the bare JID,
also the subject CN). Writes DIR/USER@DOMAIN.key (mode 0600) and DIR/USER@DOMAIN.crt (the
certificate followed by the CA root) atomically; DIR defaults to the current folder. The
server must trust the local CA for clients (xmppcert ca export). Client certificates are
not kept in the store and not renewed by the agent: run the command again before expiry.

options:
  --key-type TYPE       ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096
  --validity DURATION   lifetime, e.g. 365d, 90d, 12h (default 365d)
  --config FILE         the JSON config whose "state_dir" to use
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)

exit codes: 0 ok, 1 operation failed, 2 usage error (an invalid JID)
)";

int run_enroll_client(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args("enroll-client", raw,
                               {{"--out", true},
                                {"--key-type", true},
                                {"--validity", true},
                                kConfigOption,
                                kStateDirOption,
                                kLockWaitOption});
  if (args.positional().size() != 1) throw UsageError("enroll-client: expected one USER@DOMAIN");
  std::string jid = parse_bare_jid(args.positional().front());
  KeyType key_type = kDefaultKeyType;
  if (auto type = args.value("--key-type")) key_type = parse_key_type(*type);
  auto validity = parse_validity(args.value("--validity").value_or("365d"));
  fs::path out = args.value("--out").value_or(".");
  require_writable_directory(out, "output folder", 0755);
  Session session = open_session(args);
  require_writable_directory(session.state_dir, "state dir", kStateDirMode);

  PKeyPtr key = generate_private_key(key_type);
  XmppIdentities ids;
  ids.xmpp_addrs = {jid};
  X509ReqPtr csr = build_csr(key.get(), ids);
  IssuedCertificate issued;
  {
    StateLock lock(session.state_dir, session.lock_wait);
    LocalCa ca(LocalCa::dir_in(session.state_dir));
    issued = ca.issue(IssuanceRequest{jid, ids, csr.get(), validity, nullptr});
  }
  fs::path key_path = out / (jid + ".key");
  fs::path cert_path = out / (jid + ".crt");
  write_file_atomically(key_path, private_key_pem(key.get()), with_mode(0600));
  write_file_atomically(cert_path, issued.cert_pem + issued.chain_pem, with_mode(0644));
  CertificateInfo info =
      inspect_certificate(parse_certificate(issued.cert_pem, cert_path.string()).get());
  std::cout << jid << ": wrote " << key_path.string() << " and " << cert_path.string()
            << " (XmppAddr " << jid << ", clientAuth, expires " << format_utc(info.not_after)
            << ")\n";
  return kExitOk;
}

}  // namespace xmppcert::cli
