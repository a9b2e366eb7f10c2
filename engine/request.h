// What one managed certificate should be: its names, issuer, key and install target. It
// comes from the config file or CLI flags, and is stored beside the certificate so that
// `renew` can run without the config.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/dane_settings.h"
#include "engine/identity.h"
#include "engine/keys.h"

namespace xmppcert {

inline constexpr std::chrono::seconds kDefaultValidity{90 * 86400};

struct InstallTarget {
  std::string plugin;       // "files", later "ejabberd", "prosody", ...
  nlohmann::json settings;  // the plugin's own keys, validated by the plugin
  bool operator==(const InstallTarget&) const = default;
};

struct CertificateRequest {
  std::string name;
  std::vector<std::string> domains;     // as written; validated by parse_domain
  std::vector<std::string> components;  // bare labels are subdomains of the first domain
  std::string issuer = "local";
  KeyType key_type = kDefaultKeyType;
  bool reuse_key = false;  // keep the key on renewal (DANE 3 1 1 pins it)
  // XmppAddr SANs for the domains and components. Off for a server whose peers run ejabberd
  // 23.01 (Debian 12): its s2s verifier crashes on any domain XmppAddr in a peer's
  // certificate (xmpp_stream_pkix:get_cert_domains), which fails the link; prosody and
  // ejabberd match DNS-IDs, and prosody SRV-IDs, so certificate authentication still works.
  bool xmpp_addr = true;
  std::chrono::seconds validity = kDefaultValidity;
  std::optional<InstallTarget> install;
  nlohmann::json issuer_settings =
      nlohmann::json::object();      // engine/issuer_settings.h; checked by the issuer
  std::optional<DaneSettings> dane;  // TLSA current + next rollover (engine/dane_rollover.h)
  std::optional<PoshSettings> posh;  // POSH documents rewritten on every renewal
  bool operator==(const CertificateRequest&) const = default;
};

// Validates every name (UsageError naming the bad one) and derives the SANs.
XmppIdentities identities_of(const CertificateRequest& request);
// How many times identities_of ran in this process: tests hold "once per certificate per
// run" (renewal/planning.h) with it.
long identities_of_calls();

nlohmann::json request_to_json(const CertificateRequest& request);
// `where` prefixes errors: "config.json: certificates.\"example.org\"". Checks shapes and
// values but not the domain names themselves (identities_of does: the config loader calls
// it; records the engine wrote itself are trusted, which keeps `status` fast).
CertificateRequest request_from_json(const nlohmann::json& json, const std::string& name,
                                     const CertificateRequest& defaults, const std::string& where);

}  // namespace xmppcert
