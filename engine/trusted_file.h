// Files that decide what root runs (our config and its include snippets) must be as trusted
// as root: owned by root or the invoking user and writable by no one else, all the way up
// the path, as OpenSSH's safe_path() and sudo's sudoers checks require. A snippet a daemon
// user could write would otherwise set a `reload` argv that root runs.
#pragma once

#include <filesystem>
#include <string>

namespace xmppcert {

// Reads `path` after checking the file and every folder above its real path: owner root or
// geteuid(), no group or other write bit (a folder may be other-writable only when it is
// root's and sticky, like /tmp). A UsageError naming the offending file or folder otherwise.
std::string read_trusted_file(const std::filesystem::path& path, const std::string& what);

// Who else than root or geteuid() could have written `path` (the file, or a folder above its
// real path), as "folder /etc/jabberd2 is owned by uid 107 (...)"; "" when no one. A missing
// path is judged by its folders.
std::string untrusted_writer(const std::filesystem::path& path);

}  // namespace xmppcert
