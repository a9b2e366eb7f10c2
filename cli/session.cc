#include "cli/session.h"

#include "engine/clock.h"
#include "engine/errors.h"

namespace xmppcert::cli {

Session open_session(const cmdline::ParsedArgs& args) {
  Session session;
  if (auto path = args.value("--config")) {
    session.config = load_config(*path);
    session.config_origin = *path;
  }
  if (auto dir = args.value("--state-dir")) {
    session.state_dir = *dir;
  } else if (session.config && session.config->state_dir) {
    session.state_dir = *session.config->state_dir;
  } else {
    session.state_dir = kDefaultStateDir;
  }
  if (auto wait = args.value("--lock-wait")) session.lock_wait = parse_duration(*wait);
  session.store = std::make_shared<StateDirStore>(session.state_dir);
  return session;
}

void require_existing_state_dir(const Session& session, const std::string& command) {
  std::error_code error;
  if (std::filesystem::is_directory(session.state_dir, error)) return;
  std::string source = session.config && session.config->state_dir
                           ? " (\"state_dir\" of " + session.config_origin + ")"
                           : "";
  throw UsageError(command + ": state dir " + session.state_dir.string() + source +
                   " does not exist; xmppcert enroll creates it (check --state-dir)");
}

std::string origin_of(const Session& session, const std::string& name) {
  if (session.config && session.config->find(name))
    return session.config_origin + ": certificates.\"" + name + "\"";
  return kCommandLineOrigin;
}

}  // namespace xmppcert::cli
