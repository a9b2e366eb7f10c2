#include "plugins/issuers/acme/account.h"

#include <unistd.h>

#include <optional>
#include <string>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "jose/jws.h"

namespace xmppcert::acme {
namespace {

std::string folder_name_for(const std::string& url) {
  std::string name;
  for (char c : url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3))
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return name;
}

PKeyPtr load_or_create_key(const std::filesystem::path& dir) {
  auto key_path = dir / "account.key";
  if (::access(key_path.c_str(), F_OK) == 0)
    return load_private_key(read_file(key_path), key_path.string());
  create_directories(dir, 0700);
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  write_file_atomically(key_path, private_key_pem(key.get()), with_mode(kPrivateKeyMode));
  return key;
}

// account.json: the account URL, the directory, and the thumbprint of the key it belongs to
// (a rollover or a new key makes the record stale).
std::string account_record(const std::string& url, const std::string& directory, EVP_PKEY* key) {
  nlohmann::json record{{"url", url}, {"directory", directory}, {"key", jose::jwk_thumbprint(key)}};
  return record.dump(2) + "\n";
}

// account.json's text, or nullopt when there is none yet.
std::optional<std::string> read_account_record(const std::filesystem::path& dir) {
  auto path = dir / "account.json";
  std::error_code missing;
  if (!std::filesystem::is_regular_file(path, missing)) return std::nullopt;
  return read_file(path);
}

// newAccount with `key`: the CA returns the account it already has for the key, or makes one.
Account look_up_account(Transport& transport, const AcmeSettings& settings,
                        const std::filesystem::path& dir, PKeyPtr key) {
  Account account;
  account.key = std::move(key);
  transport.set_account(account.key.get(), std::nullopt);
  const auto& directory = transport.directory();
  bool has_terms = directory.contains("meta") && directory["meta"].contains("termsOfService");
  if (has_terms && !settings.agree_tos)
    throw OperationError(
        "create ACME account at " + settings.directory + ": the CA requires agreeing to " +
        directory["meta"]["termsOfService"].get<std::string>() + " (pass --acme-agree-tos)");
  nlohmann::json payload{{"termsOfServiceAgreed", settings.agree_tos}};
  if (!settings.email.empty()) payload["contact"] = {"mailto:" + settings.email};
  std::string new_account = transport.endpoint("newAccount");
  if (!settings.eab_kid.empty())
    payload["externalAccountBinding"] = jose::external_account_binding(
        account.key.get(), settings.eab_kid, settings.eab_hmac, new_account);
  HttpResponse r = transport.post(new_account, payload, /*with_jwk=*/true);
  auto location = r.header("location");
  if (!location) throw_operation_error("create ACME account at", new_account, "no Location header");
  account.url = *location;
  transport.set_account(account.key.get(), account.url);
  // Written when it changes only: every run looks the account up, and an fsync per run is
  // most of what a quick CA leaves to wait for.
  std::string record = account_record(*location, settings.directory, account.key.get());
  if (read_account_record(dir) != record)
    write_file_atomically(dir / "account.json", record, with_mode(0600));
  return account;
}

}  // namespace

std::filesystem::path account_dir_for(const std::filesystem::path& state_dir,
                                      const std::string& directory_url) {
  return state_dir / "acme" / folder_name_for(directory_url);
}

Account open_account(Transport& transport, const AcmeSettings& settings,
                     const std::filesystem::path& dir) {
  return look_up_account(transport, settings, dir, load_or_create_key(dir));
}

Account open_recorded_account(Transport& transport, const AcmeSettings& settings,
                              const std::filesystem::path& dir) {
  PKeyPtr key = load_or_create_key(dir);
  if (std::optional<std::string> text = read_account_record(dir)) {
    const auto record = nlohmann::json::parse(*text, nullptr, false);
    std::string url = record.is_object() && record.contains("url") && record.at("url").is_string()
                          ? record.at("url").get<std::string>()
                          : "";
    if (!url.empty() && *text == account_record(url, settings.directory, key.get())) {
      Account account{std::move(key), url, /*recorded=*/true};
      transport.set_account(account.key.get(), account.url);
      return account;
    }
  }
  return look_up_account(transport, settings, dir, std::move(key));
}

bool account_unknown(const ProblemError& problem) {
  return problem.type() == "accountDoesNotExist" || problem.type() == "unauthorized";
}

void roll_over_account_key(Transport& transport, Account& account,
                           const std::filesystem::path& dir) {
  PKeyPtr new_key = generate_private_key(KeyType::kEcP256);
  std::string url = transport.endpoint("keyChange");
  nlohmann::json inner_payload{{"account", account.url}, {"oldKey", jose::public_jwk(account.key.get())}};
  std::string inner = jose::sign_key_change(new_key.get(), url, inner_payload.dump());
  transport.post(url, nlohmann::json::parse(inner));
  // The CA now knows only the new key: keep the old one beside it until the new one is in place.
  auto key_path = dir / "account.key";
  write_file_atomically(dir / "account.key.previous", read_file(key_path),
                        with_mode(kPrivateKeyMode));
  write_file_atomically(key_path, private_key_pem(new_key.get()), with_mode(kPrivateKeyMode));
  write_file_atomically(dir / "account.json",
                        account_record(account.url, transport.directory_url(), new_key.get()),
                        with_mode(0600));
  account.key = std::move(new_key);
  transport.set_account(account.key.get(), account.url);
}

void deactivate_account(Transport& transport, const Account& account,
                        const std::filesystem::path& dir) {
  transport.post(account.url, {{"status", "deactivated"}});
  std::filesystem::rename(dir / "account.key", dir / "account.key.deactivated");
}

}  // namespace xmppcert::acme
