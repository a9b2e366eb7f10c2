// The commands of xmppcert-ca, one function each; argv after the command name. They throw
// UsageError (exit 2) or OperationError (exit 1); main prints the one line.
#pragma once

#include <string>
#include <vector>

namespace xmppcert::ca {

int run_init(const std::vector<std::string>& args);
int run_serve(const std::vector<std::string>& args);
int run_root(const std::vector<std::string>& args);
int run_log_list(const std::vector<std::string>& args);
int run_renew_now(const std::vector<std::string>& args);

}  // namespace xmppcert::ca
