// xmppcert-ca: the foundation CA, an ACME server (RFC 8555) issuing the XMPP certificate
// profile. Its commands are one table (cmdline/program.h: the conventions of every
// xmppcert program); each runs in ca/commands.cc.
#include "ca/commands.h"
#include "cmdline/program.h"

namespace xmppcert::ca {
namespace {

const char* const kInitUsage =
    R"(usage: xmppcert-ca init --state-dir DIR --hostname H [--permitted-domain D]...

Creates the foundation CA in DIR: the root, the issuing intermediate and the HTTPS
certificate for H (the name ACME clients reach the CA by). --permitted-domain limits the
intermediate to names under D (repeatable).
)";

const char* const kServeUsage =
    R"(usage: xmppcert-ca serve --state-dir DIR --listen ADDR:PORT [--config FILE]
                         [--validation-http-port P] [--validation-tls-port P]
                         [--resolver ADDR:PORT] [--lifetime DURATION]

Serves ACME at https://H:PORT/directory (H as given to init). Flags override the config
file's "listen", "validation_http_port", "validation_tls_port", "resolver" and "lifetime".
)";

const char* const kRootUsage = R"(usage: xmppcert-ca root --state-dir DIR

Prints the root certificate (PEM): the trust anchor the federation's servers install.
)";

const char* const kRenewNowUsage =
    R"(usage: xmppcert-ca renew-now --state-dir DIR [--within DURATION]

Moves the renewalInfo window of every certificate issued so far to now .. now + DURATION
(default 1h): agents that poll renewalInfo renew without a restart.
)";

const char* const kLogListUsage = R"(usage: xmppcert-ca log-list --state-dir DIR [--url URL]

Prints a log list (the v3 JSON of Chrome's and certspotter's lists) naming the CA's
transparency log: its key, log ID, URL (https://H:PORT/ as last served; --url overrides)
and maximum merge delay. For `certspotter -logs FILE`.
)";

const cmdline::Command kCommands[] = {
    {"init", "create the root, the issuing intermediate and the HTTPS certificate", &kInitUsage,
     run_init},
    {"serve", "serve ACME at https://H:PORT/directory", &kServeUsage, run_serve},
    {"root", "print the root certificate (PEM)", &kRootUsage, run_root},
    {"renew-now", "ask every certificate issued so far to renew now (renewalInfo)", &kRenewNowUsage,
     run_renew_now},
    {"log-list", "print the log list (v3 JSON) naming the CA's transparency log", &kLogListUsage,
     run_log_list},
};

const cmdline::Program kProgram{"xmppcert-ca", kCommands,
                                "exit codes: 0 ok, 1 operation failed, 2 usage or config error\n"};

}  // namespace
}  // namespace xmppcert::ca

int main(int argc, char** argv) {
  return xmppcert::cmdline::run_program(xmppcert::ca::kProgram, argc, argv);
}
