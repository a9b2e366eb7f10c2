// The boundary between the engine and a plugin: a JSON (nlohmann) or filesystem exception
// escaping a plugin call becomes an OperationError naming the operation and the plugin (and
// the path, for a filesystem error), so that callers only ever see the project's errors:
// one certificate's failure is recorded and the others go on. registry.cc hands out every
// plugin already wrapped (guard_issuer, guard_server_plugin).
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/errors.h"
#include "engine/issuer.h"
#include "engine/server_plugin.h"

namespace xmppcert {

// Runs `body`; a JSON or filesystem exception becomes OperationError("operation target: ...").
template <typename Body>
decltype(auto) at_plugin_boundary(const std::string& operation, const std::string& target,
                                  Body&& body) {
  try {
    return body();
  } catch (const nlohmann::json::exception& e) {
    throw_operation_error(operation, target, std::string("unexpected JSON: ") + e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    std::string path = e.path1().empty() ? target : target + " (" + e.path1().string() + ")";
    throw_operation_error(operation, path, e.code().message());
  }
}

std::unique_ptr<Issuer> guard_issuer(std::unique_ptr<Issuer> issuer);
std::unique_ptr<ServerPlugin> guard_server_plugin(std::unique_ptr<ServerPlugin> plugin);

}  // namespace xmppcert
