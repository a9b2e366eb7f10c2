// The ACME account (RFC 8555 §7.3): its key, kept 0600 in the state dir per directory URL,
// looked up or created with newAccount; key rollover (§7.3.5) and deactivation (§7.3.6).
#pragma once

#include <filesystem>
#include <string>

#include "engine/openssl_ptr.h"
#include "plugins/issuers/acme/settings.h"
#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {

struct Account {
  PKeyPtr key;
  std::string url;
  bool recorded = false;  // taken from account.json, not confirmed by the CA in this run
};

// Where the account key and URL live: <state>/acme/<directory URL made a folder name>/.
std::filesystem::path account_dir_for(const std::filesystem::path& state_dir,
                                      const std::string& directory_url);

// Loads the key in `dir` (or creates it), then looks the account up or creates it at the CA
// (newAccount returns the existing account for a known key). Leaves `transport` signing as it.
Account open_account(Transport& transport, const AcmeSettings& settings,
                     const std::filesystem::path& dir);

// As open_account, but when account.json names the account of this key at this directory, it
// is used as it is, with no request: a run that issues saves a round trip. The caller must
// fall back to open_account when the CA says it does not know the account (recorded: true).
Account open_recorded_account(Transport& transport, const AcmeSettings& settings,
                              const std::filesystem::path& dir);

// Whether a problem a CA answered a request signed as a recorded account with means it no
// longer knows that account (a CA that lost its state, a deactivated account).
bool account_unknown(const ProblemError& problem);

// Replaces the account key at the CA (keyChange), then in `dir`, keeping the old one as
// account.key.previous.
void roll_over_account_key(Transport& transport, Account& account,
                           const std::filesystem::path& dir);

// Deactivates the account at the CA for good; the key is kept as account.key.deactivated.
void deactivate_account(Transport& transport, const Account& account,
                        const std::filesystem::path& dir);

}  // namespace xmppcert::acme
