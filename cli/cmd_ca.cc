// xmppcert ca export: the local CA's root in PEM, for trust stores and servers' s2s CA files.
#include <iostream>

#include "engine/errors.h"
#include "engine/fs.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "plugins/issuers/local/local_ca.h"

namespace xmppcert::cli {
extern const char* const kCaUsage = R"(usage: xmppcert ca export [--state-dir DIR]

Prints the embedded local CA's root certificate in PEM on stdout. The CA is created by the
first enroll from the local issuer; without it, this is an error (exit 2) naming the path,
not a new CA. Install it as the s2s trust anchor of every server that should
accept certificates from this CA.

exit codes: 0 ok, 1 operation failed, 2 usage error
)";

int run_ca(const Args& raw) {
  ParsedArgs args = parse_args("ca", raw, {kConfigOption, kStateDirOption, kLockWaitOption});
  if (args.positional().size() != 1 || args.positional().front() != "export")
    throw UsageError("ca: expected the subcommand \"export\" (see xmppcert ca --help)");
  Session session = open_session(args);
  const fs::path root = LocalCa::dir_in(session.state_dir) / "root.pem";
  if (!fs::exists(root))
    throw UsageError("ca export: no local CA at " + root.string() +
                     "; it is created by the first enroll from the local issuer (check "
                     "--state-dir)");
  std::cout << read_file(root);
  return kExitOk;
}

}  // namespace xmppcert::cli
