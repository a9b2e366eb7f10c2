// jabberd2: one combined PEM (key + full chain) per certificate, referenced by `pemfile` on
// each c2s.xml <local><id> and by s2s.xml <local><pemfile> (one for all domains). "config"
// is the folder holding c2s.xml, s2s.xml and sm.xml. SIGHUP does not reload certificates:
// the default reload restarts the jabberd units (`systemctl restart jabberd-c2s
// jabberd-s2s`); "restart": {"c2s": argv, "s2s": argv} instead stops the pid in each
// component's <pidfile> and starts argv.
#pragma once

#include "plugins/servers/common/server_kind.h"

namespace xmppcert {

extern const ServerKind kJabberd2Kind;

ServerFacts read_jabberd2_config(const fs::path& config_dir);

}  // namespace xmppcert
