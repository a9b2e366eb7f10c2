// The server plugin interface: put a stored version where the daemon reads it, then make the
// daemon load it. Implementations live in plugins/servers/<name>/, listed in
// plugins/registry.cc. install() must be atomic per file and keep owner and mode right.
#pragma once

#include <string>

#include "agent/engine/store.h"

namespace xmppcert {

class ServerPlugin {
 public:
  virtual ~ServerPlugin() = default;
  virtual std::string name() const = 0;
  virtual void install(const StoredVersion& version) = 0;
  virtual void reload() = 0;
};

}  // namespace xmppcert
