// systemd's notify protocol (Type=notify): READY=1, STATUS=..., STOPPING=1 as datagrams to
// $NOTIFY_SOCKET. A no-op when it is not set.
#pragma once

#include <string>

namespace xmppcert {

void notify_systemd(const std::string& state);

}  // namespace xmppcert
