// The CA's config file (serve --config FILE): read strictly, like the client's. An unknown
// key or a value of the wrong type is a UsageError naming FILE:LINE (for unknown keys) and
// the expected keys: {"eab": {"requried": true}} must not serve an open CA.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ca/sa/open_storage.h"

namespace xmppcert::ca {

// "notaries": [{"url": "https://ADDR:PORT", "key_sha256": "HEX"}] (ca/notary/).
struct NotaryConfig {
  std::string url, key_sha256;
};

struct CaConfig {
  // Also flags of `serve` (a flag wins); ports as text, as the flags give them.
  std::optional<std::string> listen, validation_http_port, validation_tls_port, resolver, lifetime;
  std::optional<std::string> caa_identity;
  bool eab_required = false;
  std::map<std::string, std::string> eab_keys;  // key id -> HMAC key (decoded)
  std::optional<std::string> ari_retry_after;
  // "issue" (the default) or "omit": whether certificates carry the XmppAddr of each domain.
  std::optional<std::string> xmpp_addr;
  std::optional<long long> certificates_per_account_per_hour,
      failed_validations_per_account_per_hour, certificates_per_registered_domain_per_week;
  std::vector<std::string> registered_domain_suffixes;  // lower case, no dots at either end
  std::vector<std::string> reusable_eab_keys;  // key ids that may open more than one account
  std::vector<std::string> validation_networks;
  std::optional<std::string> validation_timeout;
  std::optional<long long> validation_threads, validations_per_account, validations_per_target;
  std::optional<long long> max_connections, max_connections_per_address;
  std::optional<std::string> base_url;  // the one URL of several instances behind one name
  StorageConfig storage;                // "storage": SQLite by default, or PostgreSQL
  std::vector<NotaryConfig> notaries;
  std::optional<long long> notary_quorum;  // how many notaries must agree (default: BR's)
};

// An empty CaConfig without a path.
CaConfig load_ca_config(const std::optional<std::filesystem::path>& path);

}  // namespace xmppcert::ca
