// The commands of xmppcert-ca, one function each; argv after the command name. They throw
// UsageError (exit 2) or OperationError (exit 1); main prints the one line.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ca/sa/storage.h"
#include "cmdline/args.h"

namespace xmppcert::ca {

int run_init(const std::vector<std::string>& args);
int run_serve(const std::vector<std::string>& args);
int run_root(const std::vector<std::string>& args);
int run_log_list(const std::vector<std::string>& args);
int run_renew_now(const std::vector<std::string>& args);
// operator_commands.cc
int run_migrate(const std::vector<std::string>& args);
int run_list(const std::vector<std::string>& args);
int run_revoke(const std::vector<std::string>& args);
// account_commands.cc
int run_accounts(const std::vector<std::string>& args);
int run_eab(const std::vector<std::string>& args);
// backup_commands.cc
int run_backup(const std::vector<std::string>& args);
int run_restore(const std::vector<std::string>& args);

// What the commands share: --state-dir (required), the --config file (an empty object
// without one) and the storage it names.
std::filesystem::path state_dir(const cmdline::ParsedArgs& args, const char* command);
nlohmann::json read_config(const std::optional<std::string>& path);
// "ADDR:PORT" or "[v6]:PORT"; UsageError naming `what` otherwise.
std::pair<std::string, int> split_host_port(const std::string& text, const std::string& what);
std::unique_ptr<Storage> open_configured_storage(const cmdline::ParsedArgs& args,
                                                 const std::filesystem::path& dir);

}  // namespace xmppcert::ca
