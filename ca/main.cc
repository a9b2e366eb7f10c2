// xmppcert-ca: the foundation CA, an ACME server (RFC 8555) issuing the XMPP certificate
// profile. Commands: init (keys), serve (the ACME server), root (print the root).
#include <csignal>
#include <cstring>
#include <iostream>

#include "ca/commands.h"
#include "engine/errors.h"

namespace {

constexpr const char* kUsage = R"(usage: xmppcert-ca COMMAND [options]

commands:
  init   --state-dir DIR --hostname H [--permitted-domain D]...
         create the root, the issuing intermediate and the HTTPS certificate for H
  serve  --state-dir DIR --listen ADDR:PORT [--config FILE] [--validation-http-port P]
         [--validation-tls-port P] [--resolver ADDR:PORT] [--lifetime DURATION]
         serve ACME at https://H:PORT/directory
  root   --state-dir DIR
         print the root certificate (PEM)
  renew-now --state-dir DIR [--within DURATION]
         move the renewalInfo window of every certificate issued so far to now .. now +
         DURATION (default 1h): agents that poll renewalInfo renew without a restart

exit codes: 0 ok, 1 operation failed, 2 usage or config error
)";

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "init") return xmppcert::ca::run_init(args);
    if (command == "serve") return xmppcert::ca::run_serve(args);
    if (command == "root") return xmppcert::ca::run_root(args);
    if (command == "renew-now") return xmppcert::ca::run_renew_now(args);
    std::cerr << "xmppcert-ca: unknown command \"" << command
              << "\" (init, serve, root, renew-now)\n";
    return 2;
  } catch (const xmppcert::UsageError& error) {
    std::cerr << "xmppcert-ca: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "xmppcert-ca: " << error.what() << "\n";
    return 1;
  }
}
