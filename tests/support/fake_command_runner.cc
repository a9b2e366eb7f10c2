#include "tests/support/fake_command_runner.h"

namespace xmppcert::testing {

std::string CommandCall::variable(const std::string& name) const {
  for (const auto& entry : environment)
    if (entry.rfind(name + "=", 0) == 0) return entry.substr(name.size() + 1);
  return "";
}

CommandResult FakeCommandRunner::run(const std::vector<std::string>& argv,
                                     std::chrono::seconds time_limit, const std::string& input,
                                     const CommandEnvironment& environment) const {
  CommandCall call{argv, time_limit, input, environment};
  {
    std::lock_guard lock(mutex_);
    calls_.push_back(call);
  }
  if (on_run) on_run(call);
  std::lock_guard lock(mutex_);
  if (!next_.empty()) {
    CommandResult result = next_.front();
    next_.pop_front();
    return result;
  }
  if (auto standing = standing_.find(argv.empty() ? "" : argv[0]); standing != standing_.end())
    return standing->second;
  return CommandResult{0, ""};
}

void FakeCommandRunner::answer(const std::string& program, CommandResult result) {
  std::lock_guard lock(mutex_);
  standing_[program] = std::move(result);
}

void FakeCommandRunner::answer_next(CommandResult result) {
  std::lock_guard lock(mutex_);
  next_.push_back(std::move(result));
}

std::vector<CommandCall> FakeCommandRunner::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<CommandCall> FakeCommandRunner::calls_of(const std::string& program) const {
  std::vector<CommandCall> found;
  for (auto& call : calls())
    if (!call.argv.empty() && call.argv[0] == program) found.push_back(std::move(call));
  return found;
}

}  // namespace xmppcert::testing
