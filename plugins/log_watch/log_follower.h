// One round of following a CA's transparency log for our names (RFC 6962 §5.3, monitors):
// the new signed tree head must verify with the log's key (from the log list the admin
// gave) and extend the last one seen (a consistency proof; a tree that shrank or changed
// under the same size rewrote history); the new entries are read in bounded batches and their
// leaf hashes, folded into the compact range of what was read, must give the signed root.
// A certificate among them that names one of our DNS names and is not ours (`ours`: a serial
// or key of the store) is an alarm; so is a log that misbehaves (LogMisbehaved).
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "engine/openssl_ptr.h"
#include "plugins/log_watch/log_client.h"
#include "plugins/log_watch/log_watch_state.h"

namespace xmppcert::logwatch {

// The first log of a log list (v3 JSON, as `xmppcert-ca log-list` prints it).
struct LogDescription {
  std::string url;  // https://H:PORT/
  PKeyPtr key;
};
LogDescription read_log_list(const std::filesystem::path& file);

// `digitally_signed` (TLS DigitallySigned, SHA-256) is `key`'s signature of `input`.
bool digitally_signed_verifies(const std::string& digitally_signed, const std::string& input,
                               EVP_PKEY* key);
bool tree_head_signature_verifies(const TreeHead& head, EVP_PKEY* key);

struct FollowRequest {
  const LogDescription& log;
  LogTransport& transport;
  std::set<std::string> names;  // lower-case DNS names we manage
  std::function<bool(X509*)> ours;
  std::time_t now = 0;
  uint64_t max_entries = 20000;  // per round; the rest at the next one
};

// Follows the log kept as state.logs[key], adding alarms to state.alarms (a certificate
// alarm once per serial; one open log alarm per log). Returns the alarms raised now.
// Transport failures throw OperationError with the state unchanged.
std::vector<LogAlarm> follow_log(const std::string& key, LogWatchState& state,
                                 const FollowRequest& request);

}  // namespace xmppcert::logwatch
