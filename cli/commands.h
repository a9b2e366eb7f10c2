// The subcommands of `xmppcert`, one file each, listed in the table in main.cc.
#pragma once

#include "cmdline/program.h"

namespace xmppcert::cli {

// The documented exit codes and the argument list, as every program has them.
using cmdline::Args;
using cmdline::kExitFailed;
using cmdline::kExitOk;
using cmdline::kExitUsage;

// Each subcommand's --help text, beside its code in cmd_*.cc; main.cc prints it.
extern const char* const kEnrollUsage;
extern const char* const kRenewUsage;
extern const char* const kStatusUsage;
extern const char* const kRevokeUsage;
extern const char* const kAccountUsage;
extern const char* const kCaUsage;
extern const char* const kCheckUsage;
extern const char* const kDaneUsage;
extern const char* const kPoshUsage;
extern const char* const kEnrollClientUsage;
extern const char* const kDeleteUsage;
extern const char* const kAckUsage;

int run_enroll(const Args& args);
int run_renew(const Args& args);
int run_status(const Args& args);
int run_ca(const Args& args);
int run_revoke(const Args& args);
int run_account(const Args& args);
int run_check(const Args& args);
int run_dane(const Args& args);
int run_posh(const Args& args);
int run_enroll_client(const Args& args);
int run_delete(const Args& args);
int run_ack(const Args& args);

}  // namespace xmppcert::cli
