// xmppcert-ca: the foundation CA, an ACME server (RFC 8555) issuing the XMPP certificate
// profile. Its commands are one table (cmdline/program.h: the conventions of every
// xmppcert program: help per command, suggestions, -q/-v/--log-file, --version, exit codes);
// each runs in ca/commands.cc or ca/operator_commands.cc.
#include "ca/commands.h"
#include "ca/notary/notary_commands.h"
#include "cmdline/program.h"

namespace xmppcert::ca {
namespace {

const char* const kInitUsage =
    R"(usage: xmppcert-ca init --state-dir DIR --hostname H [--permitted-domain D]...
                        [--config FILE]

Creates the root, the issuing intermediate and the HTTPS certificate for H (the name ACME
clients reach the CA by) in DIR; with a --config naming "storage": {"postgresql": ...}, also
the database schema. --permitted-domain limits the intermediate to names under D
(repeatable). Prints the root's SHA-256 fingerprint (what clients pin) and the directory URL.
)";

const char* const kServeUsage =
    R"(usage: xmppcert-ca serve --state-dir DIR --listen ADDR:PORT [--config FILE]
                         [--validation-http-port P] [--validation-tls-port P]
                         [--resolver ADDR:PORT] [--lifetime DURATION]

Serves ACME at https://H:PORT/directory. The config file (JSON) may set "storage"
({"postgresql": "CONNINFO", "password_file": FILE}; default SQLite in DIR/ca.db), "eab",
"rate_limits", "ari_retry_after", "caa_identity" and the flags' values; flags win.
)";

const char* const kRootUsage = R"(usage: xmppcert-ca root --state-dir DIR

Prints the root certificate (PEM): the trust anchor the federation's servers install.
)";

const char* const kMigrateUsage = R"(usage: xmppcert-ca migrate --config FILE [--state-dir DIR]

Creates or upgrades the database schema of the config's "storage" (idempotent; refuses a
schema newer than this xmppcert-ca). SQLite (no "storage") needs --state-dir.
)";

const char* const kListUsage =
    R"(usage: xmppcert-ca list --state-dir DIR [--config FILE] [--json] [--domain D]
                        [--account ID] [--authorizations]

Lists the issued certificates: serial, account, status, expiry, domains. With
--authorizations, each validated challenge instead, with the perspectives that saw it: the
CA's own and each notary's (outcome, addresses, time, what went wrong).
)";

const char* const kRevokeUsage =
    R"(usage: xmppcert-ca revoke --state-dir DIR [--config FILE] --serial HEX [--reason R]

Revokes a certificate (reason: unspecified, keyCompromise, cACompromise, affiliationChanged,
superseded, cessationOfOperation, privilegeWithdrawn, aACompromise or its RFC 5280 code).
Every instance's CRL lists it from its next request on.
)";

const char* const kAccountsUsage =
    R"(usage: xmppcert-ca accounts [list] --state-dir DIR [--config FILE] [--json]
       xmppcert-ca accounts deactivate --state-dir DIR [--config FILE] --id N

Lists the ACME accounts (id, status, EAB key id, contacts), or deactivates one: every
instance refuses its requests from then on; its certificates stay valid until revoked.
)";

const char* const kEabUsage =
    R"(usage: xmppcert-ca eab add --state-dir DIR [--config FILE] --kid KEY_ID [--reusable]
       xmppcert-ca eab list --state-dir DIR [--config FILE] [--json]
       xmppcert-ca eab remove --state-dir DIR [--config FILE] --kid KEY_ID

External account binding keys kept in the CA's database (besides the config file's "eab"
keys), valid on every instance at once. `add` prints the new HMAC key once (base64url): give
it with the key id to the member (xmppcert --acme-eab-kid, --acme-eab-hmac-file). With "eab":
{"required": true} only a bound account can be created. A key id opens one account, the
first made with it; one added with --reusable opens any number (a member's several hosts).
)";

const char* const kRenewNowUsage =
    R"(usage: xmppcert-ca renew-now --state-dir DIR [--config FILE] [--within DURATION]

Moves the renewalInfo window of every certificate issued so far to now .. now + DURATION
(default 1h): agents that poll renewalInfo renew without a restart.
)";

const char* const kLogListUsage = R"(usage: xmppcert-ca log-list --state-dir DIR [--url URL]

Prints a log list (the v3 JSON of Chrome's and certspotter's lists) naming the CA's
transparency log: its key, log ID, URL (https://H:PORT/ as last served; --url overrides)
and maximum merge delay. For `certspotter -logs FILE`.
)";

const char* const kBackupUsage =
    R"(usage: xmppcert-ca backup --state-dir DIR [--config FILE] --to FOLDER

Copies what the CA needs to serve again into the new folder FOLDER (mode 0700): the state
dir's files (its keys unless they are in a PKCS#11 token) and the records: SQLite through its
online backup API while serve keeps running (FOLDER/ca.db), PostgreSQL through pg_dump
(FOLDER/ca.pgdump; needs postgresql-client). Restore with `xmppcert-ca restore`.
)";

const char* const kRestoreUsage =
    R"(usage: xmppcert-ca restore --from FOLDER --state-dir NEW_DIR [--config FILE]

Puts a backup back: the state dir's files into NEW_DIR (new or empty, made 0700) and the
records into NEW_DIR/ca.db (SQLite) or, with a --config naming "storage": {"postgresql":
...}, into that database, which must be empty (createdb; not migrated): pg_restore in one
transaction. Then upgrades the schema to this xmppcert-ca's.
)";

const cmdline::Command kCommands[] = {
    {"init", "create the root, the issuing intermediate and the HTTPS certificate", &kInitUsage,
     run_init},
    {"serve", "serve ACME at https://H:PORT/directory", &kServeUsage, run_serve},
    {"root", "print the root certificate (PEM)", &kRootUsage, run_root},
    {"migrate", "create or upgrade the database schema", &kMigrateUsage, run_migrate},
    {"list", "list the issued certificates", &kListUsage, run_list},
    {"revoke", "revoke a certificate by serial (the operator's revocation)", &kRevokeUsage,
     run_revoke},
    {"accounts", "list the ACME accounts, or deactivate one", &kAccountsUsage, run_accounts},
    {"eab", "add, list or remove external account binding keys (in the database)", &kEabUsage,
     run_eab},
    {"backup", "copy the state dir and the database into a new folder (online)", &kBackupUsage,
     run_backup},
    {"restore", "put a backup into a new state dir (and an empty database)", &kRestoreUsage,
     run_restore},
    {"renew-now", "ask every certificate issued so far to renew now (renewalInfo)", &kRenewNowUsage,
     run_renew_now},
    {"log-list", "print the log list (v3 JSON) naming the CA's transparency log", &kLogListUsage,
     run_log_list},
    {"notary", "init or serve a notary: validation from a member's network (ca/notary/)",
     &notary::kNotaryUsage, notary::run_notary},
};

const cmdline::Program kProgram{"xmppcert-ca", kCommands,
                                "exit codes: 0 ok, 1 operation failed, 2 usage or config error\n"};

}  // namespace
}  // namespace xmppcert::ca

int main(int argc, char** argv) {
  return xmppcert::cmdline::run_program(xmppcert::ca::kProgram, argc, argv);
}
