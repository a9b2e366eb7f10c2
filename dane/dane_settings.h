// Per-certificate DANE and POSH settings from the config:
//
//   "dane": { "publish": "rfc2136" | "hook" | "print", "ports": [5269, 5222], "ttl": 3600,
//             "server": "127.0.0.1", "port": 53, "key_file": "/etc/xmppcert/tsig.key",
//             "zone": "example.org", "hook": ["/usr/local/bin/tlsa-hook"],
//             "srv_targets": ["xmpp.example.net"] }
//   "posh": { "dir": "/var/www/example.org/.well-known/posh", "expires": "1d" }
//
// Every value that ends up in an nsupdate script (server, zone) or a hook's argv is checked
// here, so the publishers never see an unchecked name.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/request.h"

namespace xmppcert {

struct DaneSettings {
  std::string publish = "print";  // a publisher of the table (dane/tlsa_publishers.h)
  std::vector<int> ports{5269, 5222};
  std::chrono::seconds ttl{3600};
  std::string server;  // rfc2136: where updates go; any mode: which server is queried
  int port = 53;
  std::string key_file;           // TSIG key for nsupdate -k (empty: unsigned updates)
  std::string zone;               // empty: nsupdate finds it from the SOA
  std::vector<std::string> hook;  // publish "hook": argv, run once per change
  // SRV target hosts ("xmpp.example.net") whose _PORT._tcp names get the records too (RFC 7673
  // looks TLSA up at the SRV target when the server is reached through SRV).
  std::vector<std::string> srv_targets;
  bool operator==(const DaneSettings&) const = default;
};

struct PoshSettings {
  std::string dir;  // where xmpp-server.json and xmpp-client.json are written
  std::chrono::seconds expires{86400};
  bool operator==(const PoshSettings&) const = default;
};

inline constexpr std::chrono::seconds kLongestTlsaTtl{7 * 86400};

// `where` names the file and key path ("xmppcert.json: certificates.\"x\".dane"); UsageError
// naming the key on any bad value.
DaneSettings dane_settings_from_json(const nlohmann::json& json, const std::string& where);
nlohmann::json dane_settings_to_json(const DaneSettings& settings);
PoshSettings posh_settings_from_json(const nlohmann::json& json, const std::string& where);
nlohmann::json posh_settings_to_json(const PoshSettings& settings);

// A request's sections (engine/extensions.h: "dane", "posh"), stored in the form the *_to_json
// above write; nullopt when the request has none.
std::optional<DaneSettings> dane_settings_of(const CertificateRequest& request);
std::optional<PoshSettings> posh_settings_of(const CertificateRequest& request);
void set_dane_settings(CertificateRequest& request, const DaneSettings& settings);
void set_posh_settings(CertificateRequest& request, const PoshSettings& settings);

}  // namespace xmppcert
