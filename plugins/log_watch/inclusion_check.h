// Before a certificate of ours is installed, it is shown to be in the issuer's transparency
// log (issue 26): whatever the CA did, what we serve is what every watcher can see. The log
// is untrusted: add-chain returns the entry's SCT (its signature verified with the log's key
// gives the timestamp, hence the leaf hash), get-sth a tree head whose signature must
// verify, get-proof-by-hash an audit path that must lead from that leaf to the signed root.
// A certificate not yet in the signed tree is asked again after the maximum merge delay, a
// bounded number of times.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <string>

#include "engine/issuer.h"
#include "plugins/log_watch/log_client.h"
#include "plugins/log_watch/log_follower.h"

namespace xmppcert::logwatch {

struct InclusionProof {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
};

struct InclusionCheckOptions {
  int attempts = 5;                          // tree heads asked for at most
  std::chrono::milliseconds between{1000};   // the log's maximum merge delay
};

// The proof, or OperationError naming the log and what failed (LogMisbehaved when the log
// answered something false: a bad SCT or tree head signature, a proof that does not verify).
// `chain_der`: the issuers, leaf excluded, as add-chain wants them.
InclusionProof require_in_log(const LogDescription& log, LogTransport& transport, X509* leaf,
                              const std::vector<std::string>& chain_der,
                              const InclusionCheckOptions& options = {});

// An issuer whose certificates come back only once require_in_log holds for them, when the
// inner issuer names a transparency log; otherwise the inner issuer's as they are.
std::unique_ptr<Issuer> check_issued_in_log(std::unique_ptr<Issuer> inner);

}  // namespace xmppcert::logwatch
