// Settings every server plugin shares: who owns the installed files and with which modes,
// and argv-valued settings (reload, restart commands).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/fs.h"
#include "engine/json_fields.h"

namespace xmppcert {

struct InstallOwnership {
  FileOwnership key;   // private keys and combined key+certificate files
  FileOwnership cert;  // certificates, chains, CA roots
};

// Reads "owner", "group", "key_mode" (default 0600, or 0640 when a group is set) and
// "cert_mode" (default 0644). A world-readable key mode is a UsageError. `default_group`
// is used when "group" is absent and a group of that name exists (the daemon's own).
InstallOwnership parse_ownership(const JsonFields& fields,
                                 const std::optional<std::string>& default_group = {});

// A non-empty argv under `key`, if present.
std::optional<std::vector<std::string>> parse_argv(const JsonFields& fields, const char* key);

// An absolute path under `key`, if present.
std::optional<fs::path> parse_absolute_path(const JsonFields& fields, const char* key);

}  // namespace xmppcert
