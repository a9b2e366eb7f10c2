// The conventions every xmppcert program keeps (xmppcert, xmppcertd, xmppcert-ca): one table
// of commands, each with a summary and its own --help; a suggestion for a mistyped command;
// -q/-v/--log-file wherever they stand; --version; errors on one line "PROGRAM: what"
// (also appended to the --log-file); and the documented exit codes.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace xmppcert::cmdline {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // an operation failed; the previous state is kept
inline constexpr int kExitUsage = 2;   // bad flag, config or input; nothing was written

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;
  const char* const* usage;  // printed for `PROGRAM NAME --help`
  int (*run)(const Args& args);
};

struct Program {
  const char* name;                   // "xmppcert-ca"
  std::span<const Command> commands;  // empty: no subcommands, `run_single` is used
  const char* notes;                  // --help text after the list of commands
};

// The name in errors and hints ("see xmppcert-ca serve --help"); "xmppcert" until a
// program runs.
const std::string& program_name();

// -q/--quiet, -v/--verbose and --log-file FILE applied; the other arguments returned.
Args apply_logging_flags(const Args& args);

// Dispatches argv[1..] to the program's table; returns the exit code.
int run_program(const Program& program, int argc, char** argv);

// A program without subcommands (xmppcertd): `run` gets the arguments with the logging
// flags taken out; --version is answered here; errors become exit codes as above.
int run_single(const char* name, int argc, char** argv, int (*run)(const Args& args));

}  // namespace xmppcert::cmdline
