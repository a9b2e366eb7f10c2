// What every subcommand that touches the state dir shares: the config (if any), the state
// dir (flag, then config, then the default) and the lock around the work.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cmdline/args.h"
#include "engine/config.h"
#include "engine/store.h"

namespace xmppcert::cli {

// The options every state-dir command accepts.
inline const cmdline::OptionSpec kStateDirOption{"--state-dir", true};
inline const cmdline::OptionSpec kConfigOption{"--config", true};
inline const cmdline::OptionSpec kLockWaitOption{"--lock-wait", true};

struct Session {
  std::optional<Config> config;
  std::string config_origin;  // the file, for error prefixes
  std::filesystem::path state_dir;
  std::chrono::seconds lock_wait{30};
  std::shared_ptr<const Store> store;  // the state dir's (StateDirStore)
};

Session open_session(const cmdline::ParsedArgs& args);

// UsageError "COMMAND: state dir DIR does not exist ..." for commands that only read or
// renew what enroll created: a mistyped path must not pass as "nothing to do".
void require_existing_state_dir(const Session& session, const std::string& command);

// Where a request built from flags comes from, as errors name it.
inline constexpr char kCommandLineOrigin[] = "command line";

// "config.json: certificates.\"name\"" or kCommandLineOrigin for a request built from flags.
std::string origin_of(const Session& session, const std::string& name);

}  // namespace xmppcert::cli
