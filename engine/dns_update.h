// RFC 2136 dynamic updates through nsupdate (Debian's bind9-dnsutils), optionally TSIG-signed
// with a key file (`nsupdate -k`), run from an argv with the update script on stdin. Every
// update line of one call goes out in one UPDATE message, which the server applies whole or
// not at all.
#pragma once

#include <string>
#include <vector>

#include "engine/command_runner.h"

namespace xmppcert {

struct DnsUpdateTarget {
  std::string server;  // an address or host name, checked by the caller's config parser
  int port = 53;
  std::string key_file;  // empty: unsigned
  std::string zone;      // empty: nsupdate asks the server for the SOA
};

// Sends `lines` ("update add NAME TTL TYPE DATA", "update delete ...") as one message. An
// OperationError naming the server when a line holds a line break, the key file cannot be
// read, or nsupdate fails (the server refused, BADSIG, unreachable). nsupdate runs through
// `commands`.
void send_dns_update(const DnsUpdateTarget& target, const std::vector<std::string>& lines,
                     const CommandRunner& commands = system_command_runner());

}  // namespace xmppcert
