// prosody: the key and full chain go to <certificates dir>/<name>.key and .crt, which prosody
// 0.12 indexes by the names inside (so every VirtualHost and Component it covers finds it);
// then `prosodyctl --config CONFIG reload` (SIGHUP; replaced contents take effect on one HUP).
#pragma once

#include "plugins/servers/common/server_kind.h"

namespace xmppcert {

extern const ServerKind kProsodyKind;

}  // namespace xmppcert
