// xmppcert ca init|export: the local CA's root in PEM, for trust stores and servers' s2s CA
// files; init creates the CA first when the state dir has none.
#include <iostream>

#include "cli/commands.h"
#include "cli/session.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/state_lock.h"
#include "plugins/issuers/local/local_ca.h"

namespace xmppcert::cli {
extern const char* const kCaUsage = R"(usage: xmppcert ca init|export [--state-dir DIR]

  init    creates the embedded local CA in the state dir unless it exists (the first enroll
          from the local issuer does the same), then prints its root like export: a
          federation's servers can be given the root before any certificate is issued
  export  prints the local CA's root certificate in PEM on stdout; without a CA this is an
          error (exit 2) naming the path, never a new CA

Install the root as the s2s trust anchor of every server that should accept certificates
from this CA.

options:
  --config FILE         the JSON config whose "state_dir" to use
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)

exit codes: 0 ok, 1 operation failed, 2 usage error
)";

int run_ca(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args("ca", raw, {kConfigOption, kStateDirOption, kLockWaitOption});
  const bool init = args.positional().size() == 1 && args.positional().front() == "init";
  if (args.positional().size() != 1 || (!init && args.positional().front() != "export"))
    throw UsageError("ca: expected the subcommand \"init\" or \"export\" (see xmppcert ca --help)");
  Session session = open_session(args);
  if (init) {
    require_writable_directory(session.state_dir, "state dir", kStateDirMode);
    StateLock lock(session.state_dir, session.lock_wait);
    std::cout << LocalCa(LocalCa::dir_in(session.state_dir)).root_pem();
    return kExitOk;
  }
  const fs::path root = LocalCa::dir_in(session.state_dir) / "root.pem";
  if (!fs::exists(root))
    throw UsageError("ca export: no local CA at " + root.string() +
                     "; xmppcert ca init or the first enroll from the local "
                     "issuer creates it (check --state-dir)");
  std::cout << read_file(root);
  return kExitOk;
}

}  // namespace xmppcert::cli
