// The real side of the TLSA rollover's queries (dane/dane_rollover.h): asking DNS through dig
// (bind9-dnsutils), run from an argv: the configured server when "server" is set, else the
// system resolver. And the shapes every publisher (dane/tlsa_publishers.h) checks first.
#pragma once

#include <string>
#include <vector>

#include "dane/dane_rollover.h"
#include "dane/dane_settings.h"
#include "engine/command_runner.h"

namespace xmppcert {

class DigTlsaResolver : public TlsaResolver {
 public:
  // dig runs through `commands`.
  explicit DigTlsaResolver(const DaneSettings& settings,
                           const CommandRunner& commands = system_command_runner())
      : settings_(settings), commands_(commands) {}
  std::vector<std::string> spki_hashes(const std::string& owner) override;

 private:
  DaneSettings settings_;
  const CommandRunner& commands_;
};

// The "3 1 1" data in `dig +short ... TLSA` output ("3 1 1 0C72...A5 64C5D3D6": dig splits
// long data with spaces), lower-case; other usages, selectors and types are skipped.
std::vector<std::string> parse_dig_tlsa(const std::string& output);

// An owner name as tlsa_owners builds it and an SPKI hash as spki_sha256_hex returns it;
// anything else is an OperationError before it reaches a script or an argv.
void require_tlsa_owner(const std::string& owner);
void require_spki_hash(const std::string& hash);
// Every owner and hash of one change.
void require_tlsa_change(const std::vector<std::string>& owners,
                         const std::vector<std::string>& add,
                         const std::vector<std::string>& remove);

}  // namespace xmppcert
