#include "cli/session.h"

#include "engine/clock.h"

namespace xmppcert::cli {

Session open_session(const ParsedArgs& args) {
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

std::string origin_of(const Session& session, const std::string& name) {
  if (session.config && session.config->find(name))
    return session.config_origin + ": certificates.\"" + name + "\"";
  return "command line";
}

}  // namespace xmppcert::cli
