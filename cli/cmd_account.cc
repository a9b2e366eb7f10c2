// xmppcert account: the account behind a managed certificate's issuer. The operations are the
// ones its issuer declares (plugins/registry.cc).
#include <iostream>

#include "cli/commands.h"
#include "cli/session.h"
#include "engine/errors.h"
#include "engine/state_lock.h"
#include "engine/store.h"
#include "plugins/registry.h"

namespace xmppcert::cli {
namespace {

// "rollover|deactivate" and one help line per operation, across the issuers.
std::vector<const AccountOperation*> account_operations() {
  std::vector<const AccountOperation*> operations;
  for (const auto* declaration : issuer_settings_declarations())
    for (const auto& operation : declaration->account_operations) operations.push_back(&operation);
  return operations;
}

std::string account_usage() {
  std::string names, lines;
  for (const auto* operation : account_operations()) {
    names += (names.empty() ? "" : "|") + std::string(operation->name);
    std::string name = operation->name;
    lines += "  " + name + std::string(name.size() < 12 ? 13 - name.size() : 1, ' ') +
             operation->summary + "\n";
  }
  return "usage: xmppcert account " + names +
         " NAME [--state-dir DIR]\n\n"
         "Acts on the account that issues the certificate NAME (its stored issuer settings):\n" +
         lines +
         "\noptions:\n"
         "  --config FILE         the JSON config whose \"state_dir\" to use\n"
         "  --lock-wait DURATION  how long to wait for another run's lock (default 30s)\n"
         "\nexit codes: 0 ok, 1 the CA refused or could not be reached, 2 usage error\n";
}

}  // namespace

extern const char* const kAccountUsage = [] {
  static const std::string usage = account_usage();
  return usage.c_str();
}();

int run_account(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args("account", raw, {kConfigOption, kStateDirOption, kLockWaitOption});
  const auto& words = args.positional();
  const AccountOperation* known = nullptr;
  for (const auto* operation : account_operations())
    if (words.size() == 2 && words[0] == operation->name) known = operation;
  if (!known) {
    std::string expected;
    for (const auto* operation : account_operations())
      expected += (expected.empty() ? "\"" : " or \"") + std::string(operation->name) + " NAME\"";
    throw UsageError("account: expected " + expected + " (see xmppcert account --help)");
  }
  Session session = open_session(args);
  const Store& store = *session.store;
  validate_certificate_name(words[1]);
  auto record = store.load(words[1]);
  if (!record)
    throw UsageError("account: no certificate named \"" + words[1] + "\" in " +
                     session.state_dir.string());
  const IssuerSettingsDeclaration* declaration =
      issuer_settings_declaration(record->request.issuer);
  const AccountOperation* operation = nullptr;
  if (declaration)
    for (const auto& candidate : declaration->account_operations)
      if (words[0] == candidate.name) operation = &candidate;
  if (!operation)
    throw UsageError("account: \"" + words[1] + "\" is issued by " + record->request.issuer +
                     ", which has no account to " + words[0]);
  StateLock lock(session.state_dir, session.lock_wait);
  std::cout << operation->run(record->request.issuer_settings,
                              "stored request of \"" + words[1] + "\"", session.state_dir)
            << "\n";
  return kExitOk;
}

}  // namespace xmppcert::cli
