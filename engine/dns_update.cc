#include "engine/dns_update.h"

#include <fcntl.h>
#include <unistd.h>

#include "engine/command_runner.h"
#include "engine/errors.h"

namespace xmppcert {
namespace {

// nsupdate reports an unreadable key file in its own words; reading it first names the file.
void require_readable_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_operation_error("read TSIG key file", path, errno_text(errno));
  char byte;
  ssize_t n = ::read(fd, &byte, 1);
  int error = errno;
  ::close(fd);
  if (n < 0) throw_operation_error("read TSIG key file", path, errno_text(error));
  if (n == 0) throw_operation_error("read TSIG key file", path, "the file is empty");
}

}  // namespace

void send_dns_update(const DnsUpdateTarget& target, const std::vector<std::string>& lines,
                     const CommandRunner& commands) {
  const std::string operation = "RFC 2136 update at";
  const std::string server = target.server + ":" + std::to_string(target.port);
  // Each line is one nsupdate command: a line break in a name would be a command of its own.
  std::string script = "server " + target.server + " " + std::to_string(target.port) + "\n";
  if (!target.zone.empty()) script += "zone " + target.zone + "\n";
  for (const auto& line : lines) {
    if (line.find_first_of("\n\r") != std::string::npos)
      throw_operation_error(operation, server, "refused a line break in the update");
    script += line + "\n";
  }
  script += "send\n";
  for (const auto& token : {target.server, target.zone})
    if (token.find_first_of("\n\r ") != std::string::npos)
      throw_operation_error(operation, server,
                            "refused a space or line break in the server or zone");
  // -t: the whole update, retries included, within 30 s instead of nsupdate's 300.
  std::vector<std::string> argv{"nsupdate", "-t", "30"};
  if (!target.key_file.empty()) {
    require_readable_key_file(target.key_file);
    argv.insert(argv.end(), {"-k", target.key_file});
  }
  commands.run_checked(argv, operation + " " + server, script);
}

}  // namespace xmppcert
