// xmppcertd [--config FILE] [--state-dir DIR] [--metrics-file PATH] [--log-file FILE]: the
// agent, in the foreground (systemd Type=notify).
#include <iostream>
#include <string>

#include "agent/agent.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "plugins/registry.h"

namespace {

const char* const kUsage =
    R"(usage: xmppcertd [--config FILE] [--state-dir DIR] [--metrics-file PATH] [-q|-v]
                 [--log-file FILE]

Keeps every certificate of the state dir and of FILE (its entries override the stored
requests) issued, installed and served: renews at two thirds of the lifetime (or in the
issuer's ARI window), retries failures with a capped exponential backoff, re-reads FILE
when it changes or on SIGHUP (which also asks the CA's renewal information again), adds
names that appear in watched server configs, and reinstalls installed files that someone
deletes or replaces. Runs in the foreground; logs one line per event to stderr, starting
with the UTC time unless stderr is the journal (-q: warnings and errors only, -v: more
detail; --log-file FILE: every line, stamped, appended to FILE too); SIGTERM or SIGINT
finish the operation under way and exit 0.
)";

}  // namespace

int main(int argc, char** argv) {
  xmppcert::AgentOptions options;
  try {
    xmppcert::declare_issuer_settings_to_engine();
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw xmppcert::UsageError(arg + " needs a value");
        return argv[++i];
      };
      if (arg == "--help" || arg == "-h") {
        std::cout << kUsage;
        return 0;
      } else if (arg == "-q" || arg == "--quiet") {
        xmppcert::set_log_level(xmppcert::LogLevel::quiet);
      } else if (arg == "-v" || arg == "--verbose") {
        xmppcert::set_log_level(xmppcert::LogLevel::verbose);
      } else if (arg == "--log-file") {
        xmppcert::open_log_file(value());
      } else if (arg == "--config") {
        options.config = value();
      } else if (arg == "--state-dir") {
        options.state_dir = value();
      } else if (arg == "--metrics-file") {
        options.metrics_file = value();
      } else {
        throw xmppcert::UsageError("unknown option " + arg + " (see xmppcertd --help)");
      }
    }
    return xmppcert::Agent(options).run();
  } catch (const xmppcert::UsageError& e) {
    std::cerr << "xmppcertd: " << e.what() << "\n";
    xmppcert::log_to_file_only("xmppcertd", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "xmppcertd: " << e.what() << "\n";
    xmppcert::log_to_file_only("xmppcertd", e.what());
    return 1;
  }
}
