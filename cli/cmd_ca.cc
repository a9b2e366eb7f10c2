// xmppcert ca export: the local CA's root in PEM, for trust stores and servers' s2s CA files.
#include <iostream>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/state_lock.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "plugins/issuers/local/local_ca.h"

namespace xmppcert::cli {
extern const char* const kCaUsage = R"(usage: xmppcert ca export [--state-dir DIR]

Prints the embedded local CA's root certificate in PEM on stdout (creating the CA first if
it does not exist yet). Install it as the s2s trust anchor of every server that should
accept certificates from this CA.

exit codes: 0 ok, 1 operation failed, 2 usage error
)";

int run_ca(const Args& raw) {
  ParsedArgs args = parse_args("ca", raw, {kConfigOption, kStateDirOption, kLockWaitOption});
  if (args.positional().size() != 1 || args.positional().front() != "export")
    throw UsageError("ca: expected the subcommand \"export\" (see xmppcert ca --help)");
  Session session = open_session(args);
  require_writable_directory(session.state_dir, "state dir");
  StateLock lock(session.state_dir, session.lock_wait);
  std::cout << LocalCa(LocalCa::dir_in(session.state_dir)).root_pem();
  return kExitOk;
}

}  // namespace xmppcert::cli
