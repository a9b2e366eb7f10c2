// xmppcert: the command-line tool. The subcommands are one table; each lives in cmd_*.cc.
#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/suggest.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "plugins/registry.h"

namespace xmppcert::cli {
namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  const char* const* usage;  // printed for `xmppcert NAME --help`
  int (*run)(const Args& args);
};

const Subcommand kSubcommands[] = {
    {"enroll", "obtain a certificate with every XMPP identity of a domain, store and install it",
     &kEnrollUsage, run_enroll},
    {"renew", "renew the certificates that are due (what the timer runs)", &kRenewUsage, run_renew},
    {"status", "list managed certificates: names, issuer, expiry, next renewal, last outcome",
     &kStatusUsage, run_status},
    {"revoke", "revoke a certificate's current version at its issuer", &kRevokeUsage, run_revoke},
    {"delete", "stop managing a certificate: its record, versions and keys leave the state dir",
     &kDeleteUsage, run_delete},
    {"account", "the issuer's account: `account rollover NAME`, `account deactivate NAME`",
     &kAccountUsage, run_account},
    {"check", "what a server serves after STARTTLS: names, expiry, chain, match with the store",
     &kCheckUsage, run_check},
    {"dane", "the TLSA records (3 1 1) for DOMAIN's s2s and c2s ports", &kDaneUsage, run_dane},
    {"posh", "write DOMAIN's POSH documents xmpp-server.json and xmpp-client.json (RFC 7711)",
     &kPoshUsage, run_posh},
    {"enroll-client", "a client certificate (XmppAddr = bare JID) for SASL EXTERNAL logins",
     &kEnrollClientUsage, run_enroll_client},
    {"ca", "the embedded local CA: `ca init` creates it, `ca export` prints its root", &kCaUsage,
     run_ca},
};

void print_help(std::ostream& out) {
  out << "usage: xmppcert COMMAND [options]   (xmppcert COMMAND --help for each)\n\ncommands:\n";
  // The column fits the longest name: a fixed width once crashed on "enroll-client".
  size_t width = 0;
  for (const auto& command : kSubcommands) width = std::max(width, std::strlen(command.name));
  for (const auto& command : kSubcommands)
    out << "  " << command.name << std::string(width + 2 - std::strlen(command.name), ' ')
        << command.summary << "\n";
  out << "\nevery command also takes -q/--quiet (log warnings and errors only), "
         "-v/--verbose (log more detail) and --log-file FILE (append every log line and the "
         "final error to FILE too); log lines on stderr start with the UTC time unless "
         "stderr is the journal\n";
  out << "\nexit codes: 0 ok, 1 operation failed (previous certificate kept), 2 usage or "
         "config error\n";
}

std::string suggestion_for(const std::string& unknown) {
  std::vector<std::string> names;
  for (const auto& command : kSubcommands) names.push_back(command.name);
  return did_you_mean(unknown, names);
}

// -q, -v and --log-file are taken wherever they stand, before or after the command.
std::vector<std::string> apply_logging_flags(const std::vector<std::string>& args) {
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-q" || arg == "--quiet") {
      set_log_level(LogLevel::quiet);
    } else if (arg == "-v" || arg == "--verbose") {
      set_log_level(LogLevel::verbose);
    } else if (arg == "--log-file") {
      if (i + 1 >= args.size()) throw UsageError("--log-file needs a value");
      open_log_file(args[++i]);
    } else {
      rest.push_back(arg);
    }
  }
  return rest;
}

int dispatch(const std::vector<std::string>& all_args) {
  const std::vector<std::string> args = apply_logging_flags(all_args);
  if (args.empty()) {
    print_help(std::cerr);
    return kExitUsage;
  }
  const std::string& name = args.front();
  if (name == "--help" || name == "-h" || name == "help") {
    print_help(std::cout);
    return kExitOk;
  }
  if (name == "--version") {
    std::cout << "xmppcert " << XMPPCERT_VERSION << "\n";
    return kExitOk;
  }
  for (const auto& command : kSubcommands) {
    if (name != command.name) continue;
    Args rest(args.begin() + 1, args.end());
    if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
      std::cout << *command.usage;
      return kExitOk;
    }
    return command.run(rest);
  }
  throw UsageError("unknown command \"" + name + "\"" + suggestion_for(name) +
                   "; see xmppcert --help");
}

}  // namespace
}  // namespace xmppcert::cli

int main(int argc, char** argv) {
  using namespace xmppcert;
  // A peer closing a socket (a CA's validator after its handshake) is an error to handle,
  // not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    declare_issuer_settings_to_engine();
    return cli::dispatch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::cerr << "xmppcert: " << e.what() << "\n";
    log_to_file_only("xmppcert", e.what());
    return cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "xmppcert: " << e.what() << "\n";
    log_to_file_only("xmppcert", e.what());
    return cli::kExitFailed;
  }
}
