// The server plugin of the tests: no daemon. install() copies the version's certificate to
// `served` (what a server would serve) when one is set and remembers the version; reload()
// counts. A test makes either step fail: `on_install` runs first and may throw (a JSON error,
// a filesystem error), `fail_next_reload` fails the next reload once.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "engine/server_plugin.h"

namespace xmppcert::testing {

class FakeServerPlugin : public ServerPlugin {
 public:
  explicit FakeServerPlugin(std::string name = "fake",
                            std::optional<std::filesystem::path> served = std::nullopt)
      : name_(std::move(name)), served_(std::move(served)) {}

  std::string name() const override { return name_; }
  void install(const StoredVersion& version) override;
  void reload() override;

  std::function<void(const StoredVersion&)> on_install;
  bool fail_next_reload = false;
  int installs = 0;   // calls, failed ones included
  int installed = 0;  // the version number of the last install that succeeded
  int reloads = 0;

 private:
  std::string name_;
  std::optional<std::filesystem::path> served_;
};

}  // namespace xmppcert::testing
