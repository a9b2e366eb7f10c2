// xmppcert revoke: revoke a managed certificate's current version at its issuer. The
// certificate stays installed (servers keep working) and is due for replacement at the next
// `renew`.
#include <iostream>

#include "engine/certificate.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/log.h"
#include "engine/state_lock.h"
#include "engine/store.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "plugins/registry.h"

namespace xmppcert::cli {
extern const char* const kRevokeUsage =
    R"(usage: xmppcert revoke NAME [--reason R] [--with-certificate-key] [--state-dir DIR]

Revokes the current certificate of NAME at the issuer that issued it, signed by the
account key (or, with --with-certificate-key, by the certificate's own key). The next
`xmppcert renew` replaces it.

reasons: unspecified (default), keyCompromise, superseded, cessationOfOperation

options:
  --config FILE         the JSON config whose "state_dir" to use
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)

exit codes: 0 revoked, 1 the issuer refused or could not be reached, 2 usage error
)";

namespace {

int reason_code(const std::string& reason) {
  const std::pair<const char*, int> reasons[] = {
      {"unspecified", 0}, {"keyCompromise", 1}, {"superseded", 4}, {"cessationOfOperation", 5}};
  for (const auto& [name, code] : reasons)
    if (reason == name) return code;
  throw UsageError("revoke: unknown reason \"" + reason +
                   "\" (unspecified, keyCompromise, superseded, cessationOfOperation)");
}

}  // namespace

int run_revoke(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args("revoke", raw,
                               {{"--reason", true},
                                {"--with-certificate-key", false},
                                kConfigOption,
                                kStateDirOption,
                                kLockWaitOption});
  if (args.positional().size() != 1) throw UsageError("revoke: name one certificate");
  const std::string& name = args.positional().front();
  int reason = reason_code(args.value("--reason").value_or("unspecified"));
  Session session = open_session(args);
  const Store& store = *session.store;
  validate_certificate_name(name);
  if (auto record = store.load(name); !record || record->current_version == 0)
    throw UsageError("revoke: no issued certificate named \"" + name + "\" in " +
                     session.state_dir.string());

  // What is revoked and saved is the record read under the lock: a renewal that finished
  // meanwhile made another version current.
  StateLock lock(session.state_dir, session.lock_wait);
  auto record = store.load(name);
  if (!record || record->current_version == 0)
    throw_operation_error("revoke", name, "its record disappeared while waiting for the lock");
  auto version = store.version(name, record->current_version);
  X509Ptr certificate =
      parse_certificate(read_file(version.cert_path()), version.cert_path().string());
  PKeyPtr key;
  if (args.has("--with-certificate-key"))
    key = load_private_key(read_file(version.key_path()), version.key_path().string());
  auto issuer = make_issuer(record->request.issuer, record->request.issuer_settings,
                            session.state_dir, "stored request of \"" + name + "\"");
  issuer->revoke(certificate.get(), key.get(), reason);
  record->revoked = true;
  record->last_attempt = Attempt{std::time(nullptr), true,
                                 "revoked v" + std::to_string(record->current_version) +
                                     " (reason " + std::to_string(reason) + ")"};
  store.save(*record);
  std::cout << name << ": revoked v" << record->current_version << " serial "
            << record->certificate.serial_hex << "; the next renew replaces it\n";
  return kExitOk;
}

}  // namespace xmppcert::cli
