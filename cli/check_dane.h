// `xmppcert check --dane`: whether the served certificate's key matches a "3 1 1" TLSA record
// published for the port (asked through the system resolver or --resolver, the AD bit shown),
// and whether the POSH document names the served certificate.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cmdline/args.h"
#include "engine/openssl_ptr.h"
#include "engine/starttls_probe.h"

namespace xmppcert::cli {

struct DaneCheck {
  bool tlsa_ok = false;  // a validated (AD) answer holds the served key
  bool posh_ok = true;   // false only when a POSH document was read and names another cert
  nlohmann::json json;   // "dane": {...}
  std::string text;      // lines for the text report
};

// `leaf` is what `target` served. Reads --resolver, --resolver-port, --posh-url, --posh-ca.
DaneCheck check_dane(const ProbeTarget& target, X509* leaf, const cmdline::ParsedArgs& args);

}  // namespace xmppcert::cli
