#include "plugins/issuers/acme/declaration.h"

#include "plugins/issuers/acme/acme_issuer.h"

namespace xmppcert::acme {
namespace {

using enum FlagValue;

// The --acme-* flags fill the same keys as the config's "acme" object.
constexpr SettingFlag kFlags[] = {
    {"--acme-directory", "URL", kText, "directory", nullptr, "the CA's directory (https://)"},
    {"--acme-trust", "PEM", kText, "trust", nullptr,
     "trust only this CA bundle for the ACME server's HTTPS"},
    {"--acme-root-sha256", "FP", kText, "root_sha256", nullptr,
     "instead of --acme-trust: pin the foundation CA's own root\n(SHA-256 of `xmppcert-ca root`), "
     "fetched beside the directory"},
    {"--acme-agree-tos", "", kSwitch, "agree_tos", nullptr, "agree to the CA's terms of service"},
    {"--acme-email", "ADDR", kText, "email", nullptr, "account contact"},
    {"--acme-eab-kid", "K", kText, "eab_kid", nullptr, "external account binding: key id"},
    {"--acme-eab-hmac", "H", kRefused, "eab_hmac", nullptr,
     "puts the secret in argv, readable by every local user in /proc; use "
     "--acme-eab-hmac-file FILE or the environment variable XMPPCERT_EAB_HMAC"},
    {"--acme-eab-hmac-file", "FILE", kSecretFile, "eab_hmac", nullptr,
     "external account binding: FILE holds the HMAC key\n(base64url); or set XMPPCERT_EAB_HMAC "
     "(never in argv,\nwhere every local user can read it)"},
    {"--acme-preferred-chain", "CN", kText, "preferred_chain", nullptr,
     "pick the alternate chain whose top issuer has this CN"},
    {"--http01-address", "A", kText, "http01_address", nullptr,
     "built-in http-01 responder's address (default 0.0.0.0)"},
    {"--http01-port", "P", kPort, "http01_port", nullptr,
     "built-in http-01 responder's port (default 80)"},
    {"--webroot", "DIR", kText, "webroot", nullptr,
     "answer http-01 by writing files under DIR instead"},
    {"--dns01-hook", "PROG", kProgram, "dns01_hook", nullptr,
     "answer dns-01 by running PROG add|del FQDN VALUE"},
    {"--dns01-rfc2136", "HOST[:PORT]", kHostPort, "rfc2136_server", "rfc2136_port",
     "answer dns-01 by RFC 2136 dynamic update (nsupdate)"},
    {"--dns01-rfc2136-key", "FILE", kText, "rfc2136_key_file", nullptr,
     "TSIG key file for the RFC 2136 update"},
    {"--tls-alpn01-address", "A", kText, "tls_alpn01_address", nullptr,
     "answer tls-alpn-01 (RFC 8737) with the built-in responder on A"},
    {"--tls-alpn01-port", "P", kPort, "tls_alpn01_port", nullptr,
     "... and port P, instead of http-01"},
};

constexpr const char* kSecretKeys[] = {"eab_hmac"};  // needed once, at account creation

constexpr SecretVariable kSecretVariables[] = {
    {"XMPPCERT_EAB_HMAC", "eab_hmac", "--acme-eab-kid"},
};

std::string roll_over(const nlohmann::json& settings, const std::string& where,
                      const std::filesystem::path& state_dir) {
  AcmeIssuer issuer(parse_acme_settings(settings, where), state_dir);
  issuer.roll_over_account_key();
  return "account key rolled over; new key in " + (issuer.account_dir() / "account.key").string();
}

std::string deactivate(const nlohmann::json& settings, const std::string& where,
                       const std::filesystem::path& state_dir) {
  AcmeIssuer issuer(parse_acme_settings(settings, where), state_dir);
  issuer.deactivate_account();
  return "account deactivated at the CA; its key is kept as " +
         (issuer.account_dir() / "account.key.deactivated").string();
}

constexpr AccountOperation kAccountOperations[] = {
    {"rollover", "replace the account key at the CA (RFC 8555 key change), then locally",
     roll_over},
    {"deactivate", "deactivate the account at the CA for good", deactivate},
};

}  // namespace

constinit const IssuerSettingsDeclaration kAcmeSettingsDeclaration{
    "acme",           "ACME (--issuer acme, or foundation with its directory in the config):",
    kFlags,           kSecretKeys,
    kSecretVariables, kAccountOperations};

}  // namespace xmppcert::acme
