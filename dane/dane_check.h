// What DNS and POSH say about a served certificate, for `xmppcert check --dane`: the "3 1 1"
// TLSA records at a port's owner name, asked through a resolver with DNSSEC OK
// (`dig +dnssec`, from an argv) together with the answer's AD bit (the resolver validated
// it), and the fingerprints a POSH document (RFC 7711) names.
#pragma once

#include <string>
#include <vector>

#include "engine/command_runner.h"

namespace xmppcert {

struct TlsaAnswer {
  std::string status;                    // the DNS rcode: "NOERROR", "NXDOMAIN", "SERVFAIL"
  bool authenticated = false;            // the AD bit
  std::vector<std::string> spki_hashes;  // "3 1 1" data, lower-case hex
};

// dig's full output (header, flags, ANSWER section) for a TLSA query.
TlsaAnswer parse_dig_tlsa_answer(const std::string& output);

// Asks `resolver` (an address; empty: the system resolver) on `port` for the TLSA records at
// `owner` ("_5269._tcp.example.org."). OperationError naming the owner when dig fails. dig
// runs through `commands`.
TlsaAnswer query_tlsa_answer(const std::string& owner, const std::string& resolver, int port,
                             const CommandRunner& commands = system_command_runner());

// The "sha-256" fingerprints of a POSH document; OperationError naming `where` (the URL) when
// it is not one.
std::vector<std::string> posh_fingerprints(const std::string& document, const std::string& where);

}  // namespace xmppcert
