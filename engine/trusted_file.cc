#include "engine/trusted_file.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "engine/errors.h"
#include "engine/safe_open.h"

namespace xmppcert {
namespace {

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// " (ejabberd)": the user's name, which the admin knows better than the number.
std::string user_name(uid_t uid) {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[1024];
  if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) != 0 || !found) return "";
  return std::string(" (") + found->pw_name + ")";
}

// Why `st` (of `path`) could have been written by someone other than root or us; "" if not.
std::string untrusted_because(const struct stat& st) {
  uid_t self = ::geteuid();
  if (st.st_uid != 0 && st.st_uid != self)
    return "owned by uid " + std::to_string(st.st_uid) + user_name(st.st_uid) + " (must be root" +
           (self == 0 ? std::string() : " or uid " + std::to_string(self)) + ")";
  // /tmp: others can add entries but not replace ours.
  bool sticky_root_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && st.st_uid == 0;
  if (!sticky_root_dir && (st.st_mode & (S_IWGRP | S_IWOTH)))
    return "writable by group or others (mode " + octal(st.st_mode) + ")";
  return "";
}

// The first folder from `folder` up to / that someone else could change, as "folder X is
// why"; "" when none.
std::string untrusted_folders(std::filesystem::path folder) {
  for (;; folder = folder.parent_path()) {
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0)
      return "folder " + folder.string() + " cannot be checked (" + errno_text(errno) + ")";
    if (std::string why = untrusted_because(st); !why.empty())
      return "folder " + folder.string() + " is " + why;
    if (folder == folder.root_path() || folder.empty()) return "";
  }
}

[[noreturn]] void refuse(const std::string& what, const std::filesystem::path& file,
                         const std::filesystem::path& culprit, const std::string& why) {
  std::string where = culprit == file ? culprit.string() : "folder " + culprit.string();
  throw UsageError(what + ": " + file.string() + ": refused, " + where + " is " + why +
                   ": whoever can change it decides what root runs");
}

}  // namespace

std::string read_trusted_file(const std::filesystem::path& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) throw UsageError(what + ": open " + path.string() + ": " + errno_text(errno));
  struct stat st {};
  std::string content;
  try {
    if (::fstat(fd, &st) != 0) throw_operation_error("stat", path.string(), errno_text(errno));
    if (std::string why = untrusted_because(st); !why.empty()) refuse(what, path, path, why);
    content = read_regular_fd(fd, path, kReadFileLimit);
  } catch (const OperationError& e) {
    ::close(fd);
    throw UsageError(what + ": " + e.what());
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  // The folders above the real path: a symlink on the way is judged by where it leads.
  std::error_code ec;
  std::filesystem::path real = std::filesystem::canonical(path, ec);
  if (ec) throw UsageError(what + ": resolve " + path.string() + ": " + ec.message());
  if (std::string why = untrusted_folders(real.parent_path()); !why.empty())
    throw UsageError(what + ": " + path.string() + ": refused, " + why +
                     ": whoever can change it decides what root runs");
  return content;
}

std::string untrusted_writer(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path real = std::filesystem::weakly_canonical(path, ec);
  if (ec) real = path;
  struct stat st {};
  if (::stat(real.c_str(), &st) == 0)
    if (std::string why = untrusted_because(st); !why.empty()) return real.string() + " is " + why;
  return untrusted_folders(real.parent_path());
}

}  // namespace xmppcert
