// What a reload command learns about the certificate it reloads for, in its environment
// (certbot's RENEWED_LINEAGE / RENEWED_DOMAINS, under the XMPPCERT_ prefix the clean
// environment of engine/process allows):
//   XMPPCERT_NAME       the certificate's name          XMPPCERT_VERSION  its version (1, 2, ...)
//   XMPPCERT_DOMAINS    its DNS-IDs, space-separated
//   XMPPCERT_KEY, XMPPCERT_CERT, XMPPCERT_CHAIN, XMPPCERT_FULLCHAIN   the stored version's files
//   XMPPCERT_INSTALLED  the files the install wrote, ':'-separated
#pragma once

#include <string>
#include <vector>

#include "engine/process.h"
#include "engine/store.h"

namespace xmppcert {

// XMPPCERT_DOMAINS is left out when the stored certificate cannot be read: a reload still
// runs.
CommandEnvironment reload_environment(const StoredVersion& version,
                                      const std::vector<std::string>& installed_paths);

}  // namespace xmppcert
