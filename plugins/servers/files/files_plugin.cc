#include "plugins/servers/files/files_plugin.h"

#include "agent/engine/errors.h"
#include "agent/engine/json_fields.h"
#include "agent/engine/process.h"

namespace xmppcert {
namespace {

std::string key_of(const StoredVersion& v) { return read_file(v.key_path()); }
std::string cert_of(const StoredVersion& v) { return read_file(v.cert_path()); }
std::string chain_of(const StoredVersion& v) { return read_file(v.chain_path()); }
std::string fullchain_of(const StoredVersion& v) { return read_file(v.fullchain_path()); }
std::string combined_of(const StoredVersion& v) { return key_of(v) + fullchain_of(v); }

mode_t parse_mode(const std::string& text, const std::string& where) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
    throw UsageError(where + ": invalid mode \"" + text + "\" (expected octal, e.g. 0640)");
  return static_cast<mode_t>(std::stoul(text, nullptr, 8));
}

}  // namespace

FilesPlugin::FilesPlugin(const nlohmann::json& settings, const std::string& where) {
  JsonFields fields(settings, where);
  fields.allow_only({"key", "cert", "chain", "fullchain", "combined", "owner", "group", "key_mode",
                     "cert_mode", "reload"});
  struct Kind {
    const char* key;
    std::string (*content)(const StoredVersion&);
    bool secret;
  };
  for (const Kind& kind :
       {Kind{"key", key_of, true}, Kind{"cert", cert_of, false}, Kind{"chain", chain_of, false},
        Kind{"fullchain", fullchain_of, false}, Kind{"combined", combined_of, true}}) {
    auto path = fields.string(kind.key);
    if (!path) continue;
    if (!std::filesystem::path(*path).is_absolute())
      throw UsageError(fields.path_of(kind.key) + ": path \"" + *path + "\" must be absolute");
    targets_.push_back({*path, kind.content, kind.secret});
  }
  if (targets_.empty())
    throw UsageError(where + ": name at least one of key, cert, chain, fullchain, combined");

  std::optional<uid_t> owner;
  std::optional<gid_t> group;
  fields.with_context("owner", [&] {
    if (auto o = fields.string("owner")) owner = lookup_user(*o);
  });
  fields.with_context("group", [&] {
    if (auto g = fields.string("group")) group = lookup_group(*g);
  });
  mode_t key_mode =
      parse_mode(fields.string("key_mode").value_or("0600"), fields.path_of("key_mode"));
  if (key_mode & 0007)
    throw UsageError(fields.path_of("key_mode") +
                     ": a private key must not be readable by others (got " +
                     fields.string("key_mode").value_or("") + ")");
  mode_t cert_mode =
      parse_mode(fields.string("cert_mode").value_or("0644"), fields.path_of("cert_mode"));
  key_ownership_ = {key_mode, owner, group};
  cert_ownership_ = {cert_mode, owner, group};
  if (auto argv = fields.strings("reload")) {
    if (argv->empty()) throw UsageError(fields.path_of("reload") + ": empty command");
    reload_argv_ = *argv;
  }
}

void FilesPlugin::install(const StoredVersion& version) {
  for (const auto& target : targets_)
    write_file_atomically(target.path, target.content(version),
                          target.secret ? key_ownership_ : cert_ownership_);
}

void FilesPlugin::reload() {
  if (!reload_argv_.empty()) run_command_checked(reload_argv_, "reload");
}

}  // namespace xmppcert
