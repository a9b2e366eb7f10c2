// Accounts (RFC 8555 §7.3): created by the JWK that signs newAccount, found again by its
// thumbprint (RFC 7638, computed by the client side's code so both ends agree), updated or
// deactivated by a POST to the account URL.
#include "ca/problem.h"
#include "ca/ra/acme_service.h"
#include "ca/wfe/json_limits.h"
#include "engine/log.h"
#include "jose/jws.h"

namespace xmppcert::ca {

nlohmann::json AcmeService::account_json(const AccountRecord& account) const {
  return {{"status", account.status},
          {"contact", account.contact},
          {"orders", url("/acme/acct/" + std::to_string(account.id) + "/orders")}};
}

WebResponse AcmeService::new_account(const VerifiedPost& post) {
  nlohmann::json payload = post.json();
  bool_member(payload, "termsOfServiceAgreed", "newAccount");
  bool only_existing = bool_member(payload, "onlyReturnExisting", "newAccount").value_or(false);
  std::string thumbprint = jose::jwk_thumbprint(post.key.get());
  auto found = [&](const AccountRecord& existing) {
    return json_response(200, account_json(existing),
                         url("/acme/acct/" + std::to_string(existing.id)));
  };
  if (auto existing = storage_.account_by_thumbprint(thumbprint)) return found(*existing);
  if (only_existing) throw AcmeProblem("accountDoesNotExist", "no account for this key");
  // The binding is checked for new accounts only (RFC 8555 §7.3.4); a wrong MAC stores nothing.
  ExternalBinding binding = check_external_binding(post, payload);
  const std::string& eab_kid = binding.kid;
  AccountRecord account;
  account.thumbprint = thumbprint;
  account.jwk = jose::public_jwk(post.key.get());
  account.eab_kid = eab_kid;
  if (payload.contains("contact")) account.contact = checked_contacts(payload["contact"]);
  // A key id binds to the first account it opens (unless the operator made it reusable):
  // checked and inserted in one transaction, so two instances cannot both open one; and a key
  // opens one account, also when two newAccounts with it arrive at once.
  std::optional<AccountRecord> existing;
  account.id = storage_.transaction([&] {
    existing = storage_.account_by_thumbprint(thumbprint);
    if (existing) return existing->id;
    if (!eab_kid.empty() && !binding.reusable)
      if (auto bound = storage_.account_by_eab_kid(eab_kid))
        throw AcmeProblem("unauthorized",
                          "external account binding key id " + eab_kid +
                              " already opened account " + std::to_string(bound->id) +
                              "; ask the CA's operator for a key of your own",
                          401);
    return storage_.insert_account(account);
  });
  if (existing) return found(*existing);
  log_line("xmppcert-ca", "account " + std::to_string(account.id) + " created" +
                              (eab_kid.empty() ? "" : " (external account " + eab_kid + ")"));
  return json_response(201, account_json(account), url("/acme/acct/" + std::to_string(account.id)));
}

WebResponse AcmeService::update_account(const VerifiedPost& post, long long id) {
  if (post.account->id != id)
    throw AcmeProblem("unauthorized", "the JWS kid does not name this account", 403);
  AccountRecord account = *post.account;
  if (!post.payload.empty()) {
    nlohmann::json payload = post.json();
    std::optional<nlohmann::json> contact;
    if (payload.contains("contact")) contact = checked_contacts(payload["contact"]);
    bool deactivate =
        string_member(payload, "status", "account update").value_or("") == "deactivated";
    // Only the fields this request changes, and only while the account still has the key
    // that signed it: a key rollover that committed since this request's JWS was checked (on
    // any instance) is neither undone nor bypassed.
    AccountChange change;
    change.contact = contact;
    if (deactivate) change.status = "deactivated";
    if (!storage_.change_account(id, post.account->thumbprint, change))
      throw AcmeProblem(
          "unauthorized",
          "account " + std::to_string(id) + " changed its key or status meanwhile; try again", 401);
    if (deactivate) log_line("xmppcert-ca", "account " + std::to_string(id) + " deactivated");
    account = storage_.account(id).value_or(account);
  }
  return json_response(200, account_json(account), url("/acme/acct/" + std::to_string(id)));
}

}  // namespace xmppcert::ca
