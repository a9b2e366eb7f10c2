// The ACME issuer's settings: the config's "acme" object (and the enroll flags that fill it),
// parsed and checked before anything touches the network.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xmppcert::acme {

struct AcmeSettings {
  std::string directory;
  std::string trust;
  bool agree_tos = false;
  std::string email;
  std::string eab_kid;
  std::string eab_hmac;  // secret: never logged, never stored in records
  std::string http01_address = "0.0.0.0";
  int http01_port = 80;
  std::string webroot;
  std::vector<std::string> dns01_hook;
  std::string rfc2136_server;  // dns-01 by dynamic update to this server
  int rfc2136_port = 53;
  std::string rfc2136_key_file;  // TSIG key for nsupdate -k
  std::string tls_alpn01_address = "0.0.0.0";
  int tls_alpn01_port =
      0;                // tls-alpn-01 by the built-in responder on this port (443 in production)
  std::string profile;  // an ACME profile the directory lists in meta.profiles
  std::string preferred_chain;  // issuer CN of the chain's top certificate, among the alternates
  std::string root_sha256;  // the foundation CA's root, pinned: lowercase hex (pinned_root.h)
  std::string root_url;     // where that root is fetched; empty: beside the directory
  // The CA's transparency log to watch for our names (`xmppcert-ca log-list` output), and
  // how often; empty: not watched.
  std::string transparency_log;
  std::chrono::seconds transparency_log_poll{60};
  // argv run for each new alarm of that watch (XMPPCERT_* variables: log_watch.h); empty: none.
  std::vector<std::string> on_unexpected;
};

// UsageError naming `where` and the key on any bad setting.
AcmeSettings parse_acme_settings(const nlohmann::json& settings, const std::string& where);

}  // namespace xmppcert::acme
