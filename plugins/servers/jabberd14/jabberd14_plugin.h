// jabberd 1.4 (not packaged by Debian any more): one combined PEM (key + full chain),
// referenced from jabber.xml as <io><ssl><key ip='IP'>PATH</key></ssl></io>, where jabberd
// looks it up by the IP address the connection came in on. Served hosts are the <host>
// entries of <service id='sessions'>; the <host> of other services are components. It needs
// a full restart (default `systemctl restart jabberd14`). Its ports are not read from the
// config: verification runs only when "verify" names them. <jabberd:include> files are
// read as jabberd reads them (jabberd14_includes.h) and watched by xmppcertd.
#pragma once

#include "plugins/servers/common/server_kind.h"

namespace xmppcert {

extern const ServerKind kJabberd14Kind;

ServerFacts read_jabberd14_config(const fs::path& config);

}  // namespace xmppcert
