// xmppcert-ca: the foundation CA, an ACME server (RFC 8555) issuing the XMPP certificate
// profile. One table of commands, each with its own help; a mistyped command gets a
// suggestion, as xmppcert's do.
#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>

#include "ca/commands.h"
#include "cli/suggest.h"
#include "engine/errors.h"

namespace {

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* usage;
};

const Command kCommands[] = {
    {"init", xmppcert::ca::run_init,
     R"(usage: xmppcert-ca init --state-dir DIR --hostname H [--permitted-domain D]...
                        [--config FILE]
  Create the root, the issuing intermediate and the HTTPS certificate for H in DIR; with a
  --config naming "storage": {"postgresql": ...}, also create the database schema. Prints the
  root's SHA-256 fingerprint (what clients pin) and the directory URL.
)"},
    {"serve", xmppcert::ca::run_serve,
     R"(usage: xmppcert-ca serve --state-dir DIR --listen ADDR:PORT [--config FILE]
                         [--validation-http-port P] [--validation-tls-port P]
                         [--resolver ADDR:PORT] [--lifetime DURATION]
  Serve ACME at https://H:PORT/directory. The config file (JSON) may set "storage"
  ({"postgresql": "CONNINFO", "password_file": FILE}; default SQLite in DIR/ca.db), "eab",
  "rate_limits", "ari_retry_after", "caa_identity" and the flags' values.
)"},
    {"root", xmppcert::ca::run_root,
     R"(usage: xmppcert-ca root --state-dir DIR
  Print the root certificate (PEM).
)"},
    {"migrate", xmppcert::ca::run_migrate,
     R"(usage: xmppcert-ca migrate --config FILE [--state-dir DIR]
  Create or upgrade the database schema of the config's "storage" (idempotent; refuses a
  schema newer than this xmppcert-ca). SQLite (no "storage") needs --state-dir.
)"},
    {"list", xmppcert::ca::run_list,
     R"(usage: xmppcert-ca list --state-dir DIR [--config FILE] [--json] [--domain D]
                        [--account ID]
  List the issued certificates: serial, account, status, expiry, domains.
)"},
    {"revoke", xmppcert::ca::run_revoke,
     R"(usage: xmppcert-ca revoke --state-dir DIR [--config FILE] --serial HEX [--reason R]
  Revoke a certificate (reason: unspecified, keyCompromise, cACompromise,
  affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn, aACompromise
  or its RFC 5280 code). Every instance's CRL lists it from its next request on.
)"},
    {"renew-now", xmppcert::ca::run_renew_now,
     R"(usage: xmppcert-ca renew-now --state-dir DIR [--config FILE] [--within DURATION]
  Move the renewalInfo window of every certificate issued so far to now .. now + DURATION
  (default 1h): agents that poll renewalInfo renew without a restart.
)"},
};

void print_usage(std::ostream& out) {
  out << "usage: xmppcert-ca COMMAND [options]    (xmppcert-ca COMMAND --help for one)\n\n";
  for (const auto& command : kCommands) {
    std::string usage = command.usage;
    out << usage.substr(0, usage.find('\n') + 1).substr(std::strlen("usage: "));
  }
  out << "\nxmppcert-ca --version\nexit codes: 0 ok, 1 operation failed, 2 usage or config error\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "xmppcert-ca " << XMPPCERT_VERSION << "\n";
    return 0;
  }
  std::string name = args[0];
  args.erase(args.begin());
  std::vector<std::string> names;
  for (const auto& command : kCommands) names.push_back(command.name);
  try {
    for (const auto& command : kCommands) {
      if (name != command.name) continue;
      if (std::find(args.begin(), args.end(), "--help") != args.end() ||
          std::find(args.begin(), args.end(), "-h") != args.end()) {
        std::cout << command.usage;
        return 0;
      }
      return command.run(args);
    }
    std::cerr << "xmppcert-ca: unknown command \"" << name << "\""
              << xmppcert::cli::did_you_mean(name, names) << "; see xmppcert-ca --help\n";
    return 2;
  } catch (const xmppcert::UsageError& error) {
    std::cerr << "xmppcert-ca: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "xmppcert-ca: " << error.what() << "\n";
    return 1;
  }
}
