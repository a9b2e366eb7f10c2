// The CommandRunner of the tests: runs nothing. It records each call (argv, input,
// environment) and answers what the test scripted: the next answers in order first
// (answer_next), then a standing answer for the program (argv[0], answer), else exit 0 with no
// output.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/command_runner.h"

namespace xmppcert::testing {

struct CommandCall {
  std::vector<std::string> argv;
  std::chrono::seconds time_limit{0};
  std::string input;
  CommandEnvironment environment;

  // The value of NAME in the environment ("NAME=value"); "" when absent.
  std::string variable(const std::string& name) const;
};

class FakeCommandRunner : public CommandRunner {
 public:
  CommandResult run(const std::vector<std::string>& argv, std::chrono::seconds time_limit,
                    const std::string& input, const CommandEnvironment& environment) const override;

  void answer(const std::string& program, CommandResult result);
  void answer_next(CommandResult result);
  // Runs at each call before it is answered: what the command would have done (write a
  // file), or a throw (a command that cannot be started).
  std::function<void(const CommandCall&)> on_run;

  std::vector<CommandCall> calls() const;
  std::vector<CommandCall> calls_of(const std::string& program) const;

 private:
  mutable std::mutex mutex_;
  mutable std::vector<CommandCall> calls_;
  mutable std::deque<CommandResult> next_;
  std::map<std::string, CommandResult> standing_;
};

}  // namespace xmppcert::testing
