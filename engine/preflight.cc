#include "engine/preflight.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <system_error>

#include "engine/errors.h"

namespace xmppcert {
namespace {

PreflightCheck from_errno(const std::string& what, const std::string& operation, int error) {
  return {what, operation + ": " + errno_text(error)};
}

}  // namespace

PreflightCheck check_readable_file(const std::string& what, const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return from_errno(what, "open " + path.string(), errno);
  ::close(fd);
  return {what, ""};
}

PreflightCheck check_writable_directory(const std::string& what, const std::filesystem::path& dir) {
  std::filesystem::path existing = dir;
  std::error_code error;
  while (!std::filesystem::exists(existing, error) && existing.has_parent_path() &&
         existing != existing.parent_path())
    existing = existing.parent_path();
  if (!std::filesystem::is_directory(existing, error))
    return {what, existing.string() + " is not a directory"};
  if (::access(existing.c_str(), W_OK | X_OK) != 0)
    return from_errno(what, "write in " + existing.string(), errno);
  return {what, ""};
}

namespace {

// address:port as a socket address; false when `address` is not an IP address.
bool socket_address(const std::string& address, int port, sockaddr_storage& storage,
                    socklen_t& length) {
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    length = sizeof *v4;
  } else if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    length = sizeof *v6;
  } else {
    return false;
  }
  return true;
}

}  // namespace

PreflightCheck check_listening(const std::string& what, const std::string& address, int port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (!socket_address(address, port, storage, length)) return {what, ""};  // a name: not judged
  int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return from_errno(what, "socket", errno);
  int result = ::connect(fd, reinterpret_cast<sockaddr*>(&storage), length);
  int error = result == 0 ? 0 : errno;
  if (error == EINPROGRESS) {
    pollfd connecting{fd, POLLOUT, 0};
    error = ::poll(&connecting, 1, 3000) == 1 ? 0 : ETIMEDOUT;
    socklen_t size = sizeof error;
    if (error == 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
  }
  ::close(fd);
  if (error != 0)
    return from_errno(what, "connect to " + address + ":" + std::to_string(port), error);
  return {what, ""};
}

PreflightCheck check_bindable(const std::string& what, const std::string& address, int port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (!socket_address(address, port, storage, length))
    return {what, "\"" + address + "\" is not an IP address"};
  int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return from_errno(what, "socket", errno);
  int yes = 1;  // as the responders bind: a port in TIME_WAIT is free for them too
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  int result = ::bind(fd, reinterpret_cast<sockaddr*>(&storage), length);
  int error = errno;
  ::close(fd);
  if (result != 0) return from_errno(what, "bind " + address + ":" + std::to_string(port), error);
  return {what, ""};
}

}  // namespace xmppcert
