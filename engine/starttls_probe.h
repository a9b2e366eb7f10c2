// StartTlsProbe: connect to an XMPP port the way a client or a peer server would (stream
// header with to=DOMAIN, STARTTLS, SNI = DOMAIN) and return the certificate chain served.
// It verifies nothing itself; callers compare fingerprints or verify against a CA.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/openssl_ptr.h"

namespace xmppcert {

struct ProbeTarget {
  std::string host;  // numeric address or name
  int port = 0;
  std::string domain;  // stream `to` and SNI, A-labels
  bool s2s = false;    // jabber:server namespace instead of jabber:client
  bool operator==(const ProbeTarget&) const = default;
};

// "127.0.0.1:5222 (c2s, example.org)"
std::string describe_target(const ProbeTarget& target);

struct ServedChain {
  std::vector<X509Ptr> chain;  // leaf first, as the server sent it
  std::string tls_version;     // "TLSv1.3"
};

// Throws OperationError naming the target and the step that failed (connect, stream error
// condition, no STARTTLS offered, handshake). Bounded by `timeout` as a whole.
ServedChain probe_starttls(const ProbeTarget& target,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The same over a socket already connected (the caller keeps it): what the fuzz target of
// the stream reader feeds with a socketpair.
ServedChain probe_starttls_over(int fd, const ProbeTarget& target,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace xmppcert
