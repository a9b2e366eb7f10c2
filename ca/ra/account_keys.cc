// Account key rollover (RFC 8555 §7.3.5) and external account binding (§7.3.4).
#include "ca/problem.h"
#include "ca/ra/acme_service.h"
#include "ca/wfe/json_limits.h"
#include "engine/encoding.h"
#include "engine/log.h"
#include "jose/jws.h"

namespace xmppcert::ca {

WebResponse AcmeService::key_change(const VerifiedPost& post) {
  ParsedJws inner = parse_flattened_jws(post.payload);
  if (!inner.header.contains("jwk") || inner.header.contains("kid") ||
      inner.header.contains("nonce"))
    throw AcmeProblem("malformed", "keyChange: the inner JWS must carry a jwk and no nonce");
  if (string_member(inner.header, "url", "keyChange inner header").value_or("") != post.url)
    throw AcmeProblem("malformed", "keyChange: the inner JWS url differs from the outer one");
  PKeyPtr new_key = key_from_jwk(inner.header["jwk"]);
  verify_jws_signature(inner, new_key.get());
  nlohmann::json payload = parse_untrusted_json(inner.payload, "keyChange inner payload");
  std::string kid = url("/acme/acct/" + std::to_string(post.account->id));
  if (!payload.is_object() ||
      string_member(payload, "account", "keyChange inner payload").value_or("") != kid)
    throw AcmeProblem("malformed", "keyChange: the inner payload does not name this account");
  PKeyPtr old_key = key_from_jwk(payload.value("oldKey", nlohmann::json()));
  if (EVP_PKEY_eq(old_key.get(), post.key.get()) != 1)
    throw AcmeProblem("malformed", "keyChange: oldKey is not the account's current key");
  std::string thumbprint = jose::jwk_thumbprint(new_key.get());
  AccountChange change;
  change.thumbprint = thumbprint;
  change.jwk = jose::public_jwk(new_key.get());
  // The new key checked unused and the account moved to it in one transaction: two accounts
  // rolling over to one key at once get one 409, not a failed insert.
  std::optional<AccountRecord> other;
  bool changed = storage_.transaction([&] {
    other = storage_.account_by_thumbprint(thumbprint);
    return !other && storage_.change_account(post.account->id, post.account->thumbprint, change);
  });
  if (other) {
    WebResponse conflict = json_response(
        409, AcmeProblem("conflict", "the new key belongs to another account", 409).document(),
        url("/acme/acct/" + std::to_string(other->id)));
    conflict.content_type = "application/problem+json";
    return conflict;
  }
  if (!changed)
    throw AcmeProblem("unauthorized", "the account changed its key or status meanwhile", 401);
  AccountRecord account = storage_.account(post.account->id).value_or(*post.account);
  log_line("xmppcert-ca", "audit: account " + std::to_string(account.id) + " changed its key");
  return json_response(200, account_json(account), kid);
}

AcmeService::ExternalBinding AcmeService::check_external_binding(const VerifiedPost& post,
                                                                 const nlohmann::json& payload) {
  if (!payload.contains("externalAccountBinding")) {
    if (options_.eab_required)
      throw AcmeProblem("externalAccountRequired",
                        "this CA requires an external account binding (EAB key from its operator)");
    return {};
  }
  ParsedJws binding = parse_flattened_jws(payload["externalAccountBinding"]);
  const std::string where = "externalAccountBinding header";
  std::string kid = string_member(binding.header, "kid", where).value_or("");
  if (string_member(binding.header, "alg", where).value_or("") != "HS256")
    throw AcmeProblem("badSignatureAlgorithm", "external account binding must be HS256");
  if (string_member(binding.header, "url", where).value_or("") != post.url)
    throw AcmeProblem("malformed", "external account binding url differs from newAccount's");
  // The config file's keys, then those the operator added to the database (xmppcert-ca eab).
  std::optional<std::string> hmac_key;
  bool reusable = options_.reusable_eab_keys.contains(kid);
  if (auto key = options_.eab_keys.find(kid); key != options_.eab_keys.end()) {
    hmac_key = key->second;
  } else if (auto stored = storage_.eab_key(kid)) {
    hmac_key = stored->hmac_key;
    reusable = reusable || stored->reusable;
  }
  if (!hmac_key)
    throw AcmeProblem("unauthorized", "unknown external account binding key id " + kid, 401);
  if (!verify_hs256(binding, *hmac_key))
    throw AcmeProblem("unauthorized", "external account binding MAC invalid for " + kid, 401);
  nlohmann::json bound = parse_untrusted_json(binding.payload, "externalAccountBinding payload");
  PKeyPtr bound_key = key_from_jwk(bound);
  if (EVP_PKEY_eq(bound_key.get(), post.key.get()) != 1)
    throw AcmeProblem("malformed", "external account binding names another key");
  return {kid, reusable};
}

}  // namespace xmppcert::ca
