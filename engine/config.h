// The config file: JSON with comments, describing any number of certificates.
//
//   {
//     "state_dir": "/var/lib/xmppcert",
//     "defaults": { "issuer": "local", "key_type": "ec-p256", "validity": "90d" },
//     "certificates": {
//       "example.org": {
//         "domains": ["example.org"], "components": ["conference", "upload"],
//         "install": { "plugin": "files", "fullchain": "/etc/prosody/certs/example.org.crt",
//                      "key": "/etc/prosody/certs/example.org.key", "group": "prosody",
//                      "key_mode": "0640", "reload": ["/usr/bin/prosodyctl", "reload"] }
//       }
//     }
//   }
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/request.h"

namespace xmppcert {

inline constexpr const char* kDefaultStateDir = "/var/lib/xmppcert";

struct Config {
  std::optional<std::filesystem::path> state_dir;
  CertificateRequest defaults;
  std::vector<CertificateRequest> certificates;
  // "include": ["conf.d/*.json"]: snippets holding only "certificates" (what a packager of
  // one server ships), globs relative to the config's folder, read in sorted order.
  std::vector<std::string> include;
  std::vector<std::filesystem::path> files;  // every file read (load_config), for watching

  const CertificateRequest* find(const std::string& name) const;
};

// UsageError on any problem, naming the file and the line/column (syntax) or key path.
Config load_config(const std::filesystem::path& path);
Config parse_config(const std::string& text, const std::string& origin);

// A UsageError raised after loading (a plugin checking its "install" settings) names the
// file and the key path: "FILE: certificates.\"a\".install: unknown key \"x\"". This adds
// the line the key stands on ("FILE:12: ..."), as load_config does for its own errors, when
// the message starts with one of `config.files`; else returns the message unchanged.
std::string with_config_line(const std::string& message, const Config& config);

}  // namespace xmppcert
