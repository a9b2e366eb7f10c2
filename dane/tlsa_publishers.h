// The one table of TLSA publishers: how a certificate's "3 1 1" records get into DNS, chosen by
// "dane": {"publish": NAME}. Adding one touches its file in dane/publishers/ and the table
// (tlsa_publishers.cc), nothing else.
#pragma once

#include <memory>
#include <string>

#include "dane/dane_rollover.h"
#include "dane/dane_settings.h"
#include "engine/command_runner.h"

namespace xmppcert {

// `where` is the "dane" section's key path. UsageError naming its "publish" for an unknown
// publisher, listing the known ones.
void require_known_tlsa_publisher(const std::string& publish, const std::string& where);
// The same, then UsageError naming what the publisher needs that `settings` lack ("server"
// for rfc2136).
void require_tlsa_publisher_settings(const DaneSettings& settings, const std::string& where);

// The publisher `settings` name; `certificate` names it in log lines. `commands` runs what
// it runs (nsupdate, the hook).
std::unique_ptr<TlsaPublisher> make_tlsa_publisher(
    const DaneSettings& settings, const std::string& certificate,
    const CommandRunner& commands = system_command_runner());

}  // namespace xmppcert
