// xmppcert delete NAME: stop managing a certificate (certbot's `delete`).
#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "cli/commands.h"
#include "cli/session.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "engine/safe_open.h"
#include "engine/state_lock.h"
#include "engine/store.h"
#include "plugins/registry.h"

namespace xmppcert::cli {
extern const char* const kDeleteUsage =
    R"(usage: xmppcert delete NAME [--remove-files] [--dry-run] [--config FILE] [--state-dir DIR]

Stops managing NAME: its record, every stored version and its private keys are removed from
the state dir (the local CA and the issuers' accounts stay). Refused (exit 2) while the config
still names NAME, since the next renew would issue it again: remove it there first.

  --remove-files  also remove the files NAME's install target wrote (key, certificate, trust
                  anchor), and the lines naming them that --edit-config added to the
                  server's config (a backup is kept beside it, as on edit). The server
                  is not reloaded: it serves what it loaded until its next reload.
                  Without this flag they stay in place.

  --dry-run       say what would be removed (the state dir's folder of NAME, and with
                  --remove-files the installed files and the server config that would be
                  edited), and remove nothing.

The certificate is not revoked (xmppcert revoke NAME first if its key was exposed).

options:
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)

exit codes: 0 ok, 1 operation failed, 2 usage error
)";

namespace {

namespace fs = std::filesystem;

// Installed files sit in folders the daemon's user may own: never through a symlinked folder,
// and unlink(2) removes a symlink itself, not what it points to.
void remove_installed_files(const CertificateRecord& record, const Store& store) {
  if (!record.request.install || record.current_version == 0) return;
  auto plugin = make_server_plugin(*record.request.install, "record of " + record.name);
  const auto files = plugin->installed_files(store.version(record.name, record.current_version));
  // First the config lines --edit-config added: the server must not be told to load a file
  // that is gone (ejabberd's reload_config fails on a missing certfiles PEM).
  for (const auto& line : plugin->remove_config_references(files))
    log_line(record.name, "removed from the " + plugin->name() + " config: " + line);
  for (const auto& file : files) {
    fs::path path = file.path;
    require_real_directory(path.parent_path(), "install folder");
    if (::unlink(path.c_str()) == 0)
      log_line(record.name, "removed " + path.string());
    else if (errno != ENOENT)
      throw_operation_error("remove", path.string(), errno_text(errno));
  }
}

// What delete would take away, one line each; nothing is touched.
void print_what_would_go(const CertificateRecord& record, const StateDirStore& store,
                         bool remove_files) {
  std::cout << record.name << ": would delete " << store.certificate_dir(record.name).string()
            << " (the record, " << store.versions(record.name).size()
            << " stored version(s) and their private keys)\n";
  if (!remove_files || !record.request.install || record.current_version == 0) return;
  auto plugin = make_server_plugin(*record.request.install, "record of " + record.name);
  StoredVersion current = store.version(record.name, record.current_version);
  for (const auto& file : plugin->installed_files(current))
    std::cout << record.name << ": would remove " << file.path << "\n";
  std::cout << record.name << ": would take out of the " << plugin->name()
            << " config the lines naming these files that --edit-config added, if any (a backup"
               " kept)\n";
}

}  // namespace

int run_delete(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args("delete", raw,
                                                 {{"--remove-files", false},
                                                  {"--dry-run", false},
                                                  kConfigOption,
                                                  kStateDirOption,
                                                  kLockWaitOption});
  if (args.positional().size() != 1) throw UsageError("delete: name one certificate");
  const std::string& name = args.positional().front();
  validate_certificate_name(name);
  Session session = open_session(args);
  require_existing_state_dir(session, "delete");
  if (session.config && session.config->find(name))
    throw UsageError("delete: " + session.config_origin + " still names \"" + name +
                     "\" (the next renew would issue it again); remove it there first");
  const Store& store = *session.store;
  StateLock lock(session.state_dir, session.lock_wait);
  std::optional<CertificateRecord> record = store.load(name);
  if (!record)
    throw UsageError("delete: no certificate named \"" + name + "\" in " +
                     session.state_dir.string());
  if (args.has("--dry-run")) {
    print_what_would_go(*record, StateDirStore(session.state_dir), args.has("--remove-files"));
    return kExitOk;
  }
  if (args.has("--remove-files")) remove_installed_files(*record, store);
  store.remove(name);
  std::cout << name << ": deleted from " << session.state_dir.string()
            << (args.has("--remove-files") ? " with its installed files" : "") << "\n";
  return kExitOk;
}

}  // namespace xmppcert::cli
