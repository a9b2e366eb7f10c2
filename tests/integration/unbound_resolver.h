// Debian's unbound as a validating resolver for one signed zone, started by a test in a temp
// dir on 127.0.0.1 (port 53 inside a federation namespace), never as the system service: it
// sends every query for the zone to the test's BIND (a stub zone) and validates the answers
// against the zone's key-signing DNSKEY, so that its answers carry the AD bit. The trust
// anchor is also written to trust_anchor_file() for clients that validate themselves
// (prosody's lua-unbound). Stopped by the destructor.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

struct UnboundOptions {
  std::string zone;          // "xmpp.example"
  int zone_server_port = 0;  // BIND on 127.0.0.1
  std::string trust_anchor;  // "xmpp.example. DNSKEY 257 3 13 ..." (BindServer::trust_anchor)
  int port = 53;
};

class UnboundResolver {
 public:
  static bool available();
  explicit UnboundResolver(const UnboundOptions& options);
  ~UnboundResolver();
  int port() const { return port_; }
  // Readable by every user: the anchor in the zone-file format unbound and libunbound read.
  std::filesystem::path trust_anchor_file() const { return dir_ / "anchor" / "trust-anchor"; }
  std::string log() const;

 private:
  TempDir dir_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace xmppcert::testing
