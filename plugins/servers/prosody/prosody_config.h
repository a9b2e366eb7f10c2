// Reading prosody.cfg.lua (and the files it Includes) for what matters to certificates:
// VirtualHost and Component names, c2s/s2s ports and interfaces, the certificates folder,
// per-host ssl certificate paths and the cafile. A line reader, not a Lua interpreter:
// options set by Lua code (loops, variables) are not seen.
#pragma once

#include "plugins/servers/common/server_kind.h"

namespace xmppcert {

// Throws UsageError naming the file and line of anything it cannot read.
ServerFacts read_prosody_config(const fs::path& config);

}  // namespace xmppcert
