// The TLSA publishers of the table (dane/tlsa_publishers.cc), one file each. Every one checks
// the owners and hashes it is given (require_tlsa_change, dane/tlsa_dns.h) before they reach a
// script, an argv or a log line.
#pragma once

#include <memory>
#include <string>

#include "dane/dane_rollover.h"
#include "dane/dane_settings.h"
#include "engine/command_runner.h"

namespace xmppcert {

// Each runs its commands (nsupdate, the hook) through `commands`.

// RFC 2136 updates through nsupdate (engine/dns_update.h): "server", "port", "key_file", "zone".
std::unique_ptr<TlsaPublisher> make_rfc2136_publisher(const DaneSettings& settings,
                                                      const std::string& certificate,
                                                      const CommandRunner& commands);
// The "hook" argv, run once per change with the change in XMPPCERT_TLSA_* variables.
std::unique_ptr<TlsaPublisher> make_hook_publisher(const DaneSettings& settings,
                                                   const std::string& certificate,
                                                   const CommandRunner& commands);
// Nothing published: the records to add and remove, in zone-file form, in the log.
std::unique_ptr<TlsaPublisher> make_print_publisher(const DaneSettings& settings,
                                                    const std::string& certificate,
                                                    const CommandRunner& commands);

}  // namespace xmppcert
