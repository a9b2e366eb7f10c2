// The operator's commands on accounts and their external account bindings, on either storage
// (every instance on the database sees the change at its next request):
//   accounts [list] [--json]      every account: id, status, contacts, EAB key id, key
//   accounts deactivate --id N    RFC 8555 §7.3.6 from the operator's side: the account's
//                                 requests are refused from now on (its certificates stay)
//   eab add --kid K [--reusable]  a new HMAC key for K, printed once (base64url); --reusable:
//                                 it may open any number of accounts (default: one)
//   eab list [--json]             the key ids in the database (never their keys)
//   eab remove --kid K            accounts bound with K stay; no new account can use it
#include <openssl/rand.h>

#include <iostream>

#include "ca/commands.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

using cmdline::parse_args;

// The one positional argument (the action), `fallback` when there is none.
std::string action_of(const cmdline::ParsedArgs& args, const char* command, const char* fallback,
                      std::initializer_list<const char*> known) {
  const auto& positional = args.positional();
  if (positional.size() > 1)
    throw UsageError(std::string(command) + ": one action, got \"" + positional[1] + "\" too");
  std::string action = positional.empty() ? fallback : positional[0];
  for (const char* name : known)
    if (action == name) return action;
  std::string names;
  for (const char* name : known) names += (names.empty() ? "" : ", ") + std::string(name);
  throw UsageError(std::string(command) + ": unknown action \"" + action + "\" (" + names + ")");
}

std::string contacts_of(const AccountRecord& account) {
  std::string out;
  if (!account.contact.is_array()) return out;
  for (const auto& contact : account.contact)
    if (contact.is_string()) out += (out.empty() ? "" : ",") + contact.get<std::string>();
  return out;
}

std::string pad(const std::string& text, size_t width) {
  return text + std::string(text.size() < width ? width - text.size() : 1, ' ');
}

}  // namespace

int run_accounts(const std::vector<std::string>& raw) {
  auto args =
      parse_args("accounts", raw,
                 {{"--state-dir", true}, {"--config", true}, {"--json", false}, {"--id", true}});
  std::string action = action_of(args, "accounts", "list", {"list", "deactivate"});
  auto storage = open_configured_storage(args, state_dir(args, "accounts"));
  if (action == "deactivate") {
    auto id_text = args.value("--id");
    if (!id_text) throw UsageError("accounts deactivate: --id N is required");
    long long id = 0;
    try {
      size_t used = 0;
      id = std::stoll(*id_text, &used);
      if (used != id_text->size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw UsageError("accounts deactivate: --id " + *id_text + " is not an account number");
    }
    std::string before = storage->transaction([&] {
      auto account = storage->account(id);
      if (!account)
        throw_operation_error("deactivate", "account " + *id_text, "this CA has no such account");
      std::string status = account->status;
      if (status == "valid") {
        account->status = "deactivated";
        storage->update_account(*account);
      }
      return status;
    });
    if (before != "valid") {
      std::cout << "account " << id << " was " << before << " before; nothing changed\n";
      return 0;
    }
    std::cout << "deactivated account " << id
              << "; every instance refuses its requests from now on (its certificates stay "
                 "valid: revoke them with xmppcert-ca revoke)\n";
    return 0;
  }
  std::vector<AccountRecord> accounts = storage->accounts();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& account : accounts)
    out.push_back({{"id", account.id},
                   {"status", account.status},
                   {"contact", account.contact},
                   {"eab_kid", account.eab_kid},
                   {"key_thumbprint", account.thumbprint}});
  if (args.has("--json")) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "ID       STATUS       EAB KID          CONTACT\n";
  for (const auto& account : accounts)
    std::cout << pad(std::to_string(account.id), 9) << pad(account.status, 13)
              << pad(account.eab_kid.empty() ? "-" : account.eab_kid, 17) << contacts_of(account)
              << "\n";
  std::cout << out.size() << " account" << (out.size() == 1 ? "" : "s") << "\n";
  return 0;
}

int run_eab(const std::vector<std::string>& raw) {
  auto args = parse_args("eab", raw,
                         {{"--state-dir", true},
                          {"--config", true},
                          {"--json", false},
                          {"--kid", true},
                          {"--reusable", false}});
  std::string action = action_of(args, "eab", "list", {"add", "list", "remove"});
  auto kid = args.value("--kid");
  if (action != "list" && (!kid || kid->empty()))
    throw UsageError("eab " + action + ": --kid KEY_ID is required");
  if (kid && (kid->size() > 128 || kid->find_first_of(" \t\r\n\"\\") != std::string::npos))
    throw UsageError("eab " + action +
                     ": --kid must be at most 128 characters, no spaces or quotes");
  if (action != "add" && args.has("--reusable"))
    throw UsageError("eab " + action + ": --reusable is an option of eab add");
  auto storage = open_configured_storage(args, state_dir(args, "eab"));
  if (action == "add") {
    std::string key(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1)
      throw_operation_error("eab add", *kid, "no random bytes from OpenSSL");
    if (!storage->add_eab_key({*kid, key, std::time(nullptr), args.has("--reusable")}))
      throw_operation_error("eab add", *kid, "this key id exists already (eab remove it first)");
    // The only time the key is shown: the member's client needs it (--acme-eab-kid and
    // --acme-eab-hmac-file).
    std::cout << "kid: " << *kid << "\nhmac_key: " << base64url_encode(key) << "\n";
    return 0;
  }
  if (action == "remove") {
    if (!storage->remove_eab_key(*kid))
      throw_operation_error("eab remove", *kid, "the database holds no such key id");
    std::cout << "removed EAB key " << *kid
              << "; accounts bound with it stay, no new account can use it\n";
    return 0;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& key : storage->eab_keys())
    out.push_back(
        {{"kid", key.kid}, {"created", format_utc(key.created)}, {"reusable", key.reusable}});
  if (args.has("--json")) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& key : out)
    std::cout << pad(key["kid"].get<std::string>(), 33)
              << pad(key["created"].get<std::string>(), 22)
              << (key["reusable"].get<bool>() ? "reusable" : "one account") << "\n";
  std::cout << out.size() << " EAB key" << (out.size() == 1 ? "" : "s")
            << " in the database (keys in the config file's \"eab\" are not listed)\n";
  return 0;
}

}  // namespace xmppcert::ca
