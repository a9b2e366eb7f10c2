// xmppcert account: the ACME account behind a managed certificate's issuer.
#include <iostream>

#include "engine/errors.h"
#include "engine/state_lock.h"
#include "engine/store.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "plugins/issuers/acme/acme_issuer.h"

namespace xmppcert::cli {
extern const char* const kAccountUsage =
    R"(usage: xmppcert account rollover|deactivate NAME [--state-dir DIR]

Acts on the ACME account that issues the certificate NAME (its stored issuer settings):
  rollover     replace the account key at the CA (RFC 8555 key change), then locally
  deactivate   deactivate the account at the CA for good

options:
  --config FILE         the JSON config whose "state_dir" to use
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)

exit codes: 0 ok, 1 the CA refused or could not be reached, 2 usage error
)";

int run_account(const Args& raw) {
  ParsedArgs args = parse_args("account", raw, {kConfigOption, kStateDirOption, kLockWaitOption});
  const auto& words = args.positional();
  if (words.size() != 2 || (words[0] != "rollover" && words[0] != "deactivate"))
    throw UsageError(
        "account: expected \"rollover NAME\" or \"deactivate NAME\" (see xmppcert account --help)");
  Session session = open_session(args);
  const Store& store = *session.store;
  validate_certificate_name(words[1]);
  auto record = store.load(words[1]);
  if (!record)
    throw UsageError("account: no certificate named \"" + words[1] + "\" in " +
                     session.state_dir.string());
  if (record->request.issuer != "acme" && record->request.issuer != "foundation")
    throw UsageError("account: \"" + words[1] + "\" is issued by " + record->request.issuer +
                     ", which has no ACME account");
  StateLock lock(session.state_dir, session.lock_wait);
  acme::AcmeIssuer issuer(acme::parse_acme_settings(record->request.issuer_settings,
                                                    "stored request of \"" + words[1] + "\""),
                          session.state_dir);
  if (words[0] == "rollover") {
    issuer.roll_over_account_key();
    std::cout << "account key rolled over; new key in "
              << (issuer.account_dir() / "account.key").string() << "\n";
  } else {
    issuer.deactivate_account();
    std::cout << "account deactivated at the CA; its key is kept as "
              << (issuer.account_dir() / "account.key.deactivated").string() << "\n";
  }
  return kExitOk;
}

}  // namespace xmppcert::cli
