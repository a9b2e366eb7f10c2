#include "cmdline/program.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <exception>
#include <iostream>

#include "cmdline/suggest.h"
#include "engine/errors.h"
#include "engine/log.h"

namespace xmppcert::cmdline {
namespace {

std::string& current_name() {
  static std::string name = "xmppcert";
  return name;
}

void print_help(const Program& program, std::ostream& out) {
  out << "usage: " << program.name << " COMMAND [options]   (" << program.name
      << " COMMAND --help for each)\n\ncommands:\n";
  size_t width = 0;
  for (const auto& command : program.commands) width = std::max(width, std::strlen(command.name));
  for (const auto& command : program.commands)
    out << "  " << command.name << std::string(width + 2 - std::strlen(command.name), ' ')
        << command.summary << "\n";
  out << "\nevery command also takes -q/--quiet (log warnings and errors only), "
         "-v/--verbose (log more detail) and --log-file FILE (append every log line and the "
         "final error to FILE too); log lines on stderr start with the UTC time unless "
         "stderr is the journal\n";
  if (program.notes) out << "\n" << program.notes;
}

int dispatch(const Program& program, const Args& all_args) {
  const Args args = apply_logging_flags(all_args);
  if (args.empty()) {
    print_help(program, std::cerr);
    return kExitUsage;
  }
  const std::string& name = args.front();
  if (name == "--help" || name == "-h" || name == "help") {
    print_help(program, std::cout);
    return kExitOk;
  }
  if (name == "--version") {
    std::cout << program.name << " " << XMPPCERT_VERSION << "\n";
    return kExitOk;
  }
  std::vector<std::string> names;
  for (const auto& command : program.commands) {
    names.push_back(command.name);
    if (name != command.name) continue;
    Args rest(args.begin() + 1, args.end());
    if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
      std::cout << *command.usage;
      return kExitOk;
    }
    return command.run(rest);
  }
  throw UsageError("unknown command \"" + name + "\"" + did_you_mean(name, names) + "; see " +
                   program.name + " --help");
}

// Every error leaves the program as one line and an exit code.
template <typename Body>
int guarded(const char* name, Body body) {
  current_name() = name;
  // A peer closing a socket (a validator after its handshake, a client going away) is an
  // error to handle where it happens, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return body();
  } catch (const UsageError& e) {
    std::cerr << name << ": " << e.what() << "\n";
    log_to_file_only(name, e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << "\n";
    log_to_file_only(name, e.what());
    return kExitFailed;
  }
}

}  // namespace

const std::string& program_name() { return current_name(); }

Args apply_logging_flags(const Args& args) {
  Args rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-q" || arg == "--quiet") {
      set_log_level(LogLevel::quiet);
    } else if (arg == "-v" || arg == "--verbose") {
      set_log_level(LogLevel::verbose);
    } else if (arg == "--log-file") {
      if (i + 1 >= args.size()) throw UsageError("--log-file needs a value");
      open_log_file(args[++i]);
    } else if (arg.rfind("--log-file=", 0) == 0) {
      open_log_file(arg.substr(std::strlen("--log-file=")));
    } else {
      rest.push_back(arg);
    }
  }
  return rest;
}

int run_program(const Program& program, int argc, char** argv) {
  return guarded(program.name, [&] { return dispatch(program, Args(argv + 1, argv + argc)); });
}

int run_single(const char* name, int argc, char** argv, int (*run)(const Args& args)) {
  return guarded(name, [&] {
    Args args = apply_logging_flags(Args(argv + 1, argv + argc));
    if (std::find(args.begin(), args.end(), "--version") != args.end()) {
      std::cout << name << " " << XMPPCERT_VERSION << "\n";
      return kExitOk;
    }
    return run(args);
  });
}

}  // namespace xmppcert::cmdline
