// xmppcertd [--config FILE] [--state-dir DIR] [--metrics-file PATH] [--log-file FILE]: the
// agent, in the foreground (systemd Type=notify).
#include <algorithm>
#include <iostream>
#include <string>

#include "agent/agent.h"
#include "cmdline/args.h"
#include "cmdline/program.h"
#include "dane/dane_sections.h"
#include "engine/errors.h"
#include "plugins/registry.h"

namespace {

const char* const kUsage =
    R"(usage: xmppcertd [--config FILE] [--state-dir DIR] [--metrics-file PATH] [-q|-v]
                 [--log-file FILE] [--version]

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

int run_agent(const xmppcert::cmdline::Args& raw) {
  using xmppcert::cmdline::parse_args;
  if (std::find(raw.begin(), raw.end(), "--help") != raw.end() ||
      std::find(raw.begin(), raw.end(), "-h") != raw.end()) {
    std::cout << kUsage;
    return xmppcert::cmdline::kExitOk;
  }
  // parse_args names the program in its errors: "xmppcertd: unknown option --confg (did you
  // mean "--config"?)".
  auto args =
      parse_args("", raw, {{"--config", true}, {"--state-dir", true}, {"--metrics-file", true}});
  if (!args.positional().empty())
    throw xmppcert::UsageError("unexpected argument \"" + args.positional().front() +
                               "\" (see xmppcertd --help)");
  xmppcert::declare_issuer_settings_to_engine();
  xmppcert::declare_dane_sections_to_engine();
  xmppcert::AgentOptions options;
  if (auto config = args.value("--config")) options.config = *config;
  if (auto dir = args.value("--state-dir")) options.state_dir = *dir;
  if (auto file = args.value("--metrics-file")) options.metrics_file = *file;
  return xmppcert::Agent(options).run();
}

}  // namespace

int main(int argc, char** argv) {
  return xmppcert::cmdline::run_single("xmppcertd", argc, argv, run_agent);
}
