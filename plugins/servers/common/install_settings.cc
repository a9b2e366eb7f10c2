#include "plugins/servers/common/install_settings.h"

#include <grp.h>

#include "engine/errors.h"

namespace xmppcert {
namespace {

mode_t parse_mode(const std::string& text, const std::string& where) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
    throw UsageError(where + ": invalid mode \"" + text + "\" (expected octal, e.g. 0640)");
  mode_t mode = static_cast<mode_t>(std::stoul(text, nullptr, 8));
  if (mode & 07000)
    throw UsageError(where + ": mode \"" + text +
                     "\" sets setuid, setgid or sticky bits (not for a certificate or key)");
  return mode;
}

}  // namespace

InstallOwnership parse_ownership(const JsonFields& fields,
                                 const std::optional<std::string>& default_group) {
  std::optional<uid_t> owner;
  std::optional<gid_t> group;
  fields.with_context("owner", [&] {
    if (auto o = fields.string("owner")) owner = lookup_user(*o);
  });
  fields.with_context("group", [&] {
    if (auto g = fields.string("group")) group = lookup_group(*g);
  });
  if (!group && default_group)
    if (const struct group* found = getgrnam(default_group->c_str())) group = found->gr_gid;

  std::string key_text = fields.string("key_mode").value_or(group ? "0640" : "0600");
  mode_t key_mode = parse_mode(key_text, fields.path_of("key_mode"));
  if (key_mode & 0007)
    throw UsageError(fields.path_of("key_mode") +
                     ": a private key must not be readable by others (got " + key_text + ")");
  mode_t cert_mode =
      parse_mode(fields.string("cert_mode").value_or("0644"), fields.path_of("cert_mode"));
  return {{key_mode, owner, group}, {cert_mode, owner, group}};
}

std::optional<std::vector<std::string>> parse_argv(const JsonFields& fields, const char* key) {
  auto argv = fields.strings(key);
  if (argv && argv->empty()) throw UsageError(fields.path_of(key) + ": empty command");
  return argv;
}

std::optional<fs::path> parse_absolute_path(const JsonFields& fields, const char* key) {
  auto path = fields.string(key);
  if (!path) return {};
  if (!fs::path(*path).is_absolute())
    throw UsageError(fields.path_of(key) + ": path \"" + *path + "\" must be absolute");
  return fs::path(*path);
}

}  // namespace xmppcert
