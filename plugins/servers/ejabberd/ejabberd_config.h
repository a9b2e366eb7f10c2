// Reading ejabberd.yml for what matters to certificates: `hosts`, `hosts_alias`, the hosts
// of modules that serve their own domain (mod_muc conference.@HOST@, mod_http_upload,
// mod_pubsub, mod_proxy65, mod_mix, mod_multicast, with their `host`/`hosts` options), the
// c2s and s2s listeners, `certfiles`, `ca_file` and `s2s_cafile`. `include_config_file` is
// not followed.
#pragma once

#include "plugins/servers/common/server_kind.h"

namespace xmppcert {

// Throws UsageError naming the file and line of anything it cannot read.
ServerFacts read_ejabberd_config(const fs::path& config);

}  // namespace xmppcert
