// ejabberd: one combined PEM (key + full chain) per certificate, <cert_dir>/<name>.pem, listed
// by explicit path in `certfiles` (globs are not reliably reloaded: ejabberd #4157); then
// `ejabberdctl reload_config`. ejabberd 23.01 re-reads a certificate only when its mtime
// changed to the second, so every install moves the mtime forward; and reload_config exits
// 0 even on an unreadable or mismatched PEM, which the engine's verify step catches.
#pragma once

#include "plugins/servers/common/server_kind.h"

namespace xmppcert {

extern const ServerKind kEjabberdKind;

}  // namespace xmppcert
