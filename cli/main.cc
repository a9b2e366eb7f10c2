// xmppcert: the command-line tool. The subcommands are one table; each lives in cmd_*.cc.
#include "cli/commands.h"
#include "cmdline/program.h"
#include "dane/dane_sections.h"
#include "plugins/registry.h"

namespace xmppcert::cli {
namespace {

const cmdline::Command kSubcommands[] = {
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
    {"ack", "acknowledge an alarm of the transparency log watch (a serial, or \"log\")",
     &kAckUsage, run_ack},
    {"ca", "the embedded local CA: `ca init` creates it, `ca export` prints its root", &kCaUsage,
     run_ca},
};

const cmdline::Program kProgram{
    "xmppcert", kSubcommands,
    "exit codes: 0 ok, 1 operation failed (previous certificate kept), 2 usage or config error\n"};

}  // namespace
}  // namespace xmppcert::cli

int main(int argc, char** argv) {
  xmppcert::declare_issuer_settings_to_engine();
  xmppcert::declare_dane_sections_to_engine();
  return xmppcert::cmdline::run_program(xmppcert::cli::kProgram, argc, argv);
}
