// The client side of a CA's RFC 6962 v1 log (§4): get-sth, get-sth-consistency and
// get-entries, each answer parsed and bounded before it is used. The log is untrusted: an
// answer that is too big, malformed or contradicts what was asked is LogMisbehaved (an alarm
// for the watcher); a transport failure is an OperationError (tried again at the next poll).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ct/merkle.h"
#include "engine/errors.h"
#include "engine/http.h"

namespace xmppcert::logwatch {

constexpr size_t kMaxSmallAnswer = 64 << 10;   // get-sth, get-sth-consistency
constexpr size_t kMaxEntriesAnswer = 8 << 20;  // get-entries
constexpr size_t kMaxLeafInput = 64 << 10;     // one certificate and its framing
constexpr size_t kMaxProofHashes = 128;        // 2 log2(2^64)
constexpr uint64_t kEntriesPerRequest = 256;

class LogMisbehaved : public OperationError {
 public:
  explicit LogMisbehaved(const std::string& message) : OperationError(message) {}
};

struct TreeHead {
  uint64_t tree_size = 0;
  uint64_t timestamp_ms = 0;
  ctlog::Hash root{};
  std::string signature;  // DigitallySigned, TLS encoding
};

struct LogEntry {
  std::string leaf_input;  // MerkleTreeLeaf
  // The foundation CA's addition: the path of the ACME account that ordered it
  // ("/acme/acct/7"); "" when the log does not say or says something else.
  std::string account_path;
};

// Fetches "get-sth", "get-entries?start=0&end=9", ... below the log's URL: the body of a
// 200 answer of at most `max_body` bytes; OperationError on anything else.
class LogTransport {
 public:
  virtual ~LogTransport() = default;
  virtual std::string get(const std::string& path_and_query, size_t max_body) = 0;
  // POSTs a JSON body ("add-chain"); the same answers as get.
  virtual std::string post(const std::string& path, const std::string& json, size_t max_body) = 0;
};

class HttpLogTransport : public LogTransport {
 public:
  // `url`: the log's base, ending in "/" (https://H:PORT/); `trust_file`: its HTTPS CA.
  HttpLogTransport(std::string url, std::string trust_file);
  std::string get(const std::string& path_and_query, size_t max_body) override;
  std::string post(const std::string& path, const std::string& json, size_t max_body) override;

 private:
  std::string url_, trust_file_;
};

// Parsers of the answers; LogMisbehaved names the resource and what is wrong.
TreeHead parse_tree_head(const std::string& body);
std::vector<ctlog::Hash> parse_consistency(const std::string& body);
// get-proof-by-hash: the leaf index and its audit path.
std::pair<uint64_t, std::vector<ctlog::Hash>> parse_audit_path(const std::string& body);
// At most `asked` entries; none is a stalled log.
std::vector<LogEntry> parse_entries(const std::string& body, uint64_t asked);

class LogClient {
 public:
  explicit LogClient(LogTransport& transport) : transport_(transport) {}
  TreeHead get_sth();
  std::vector<ctlog::Hash> get_consistency(uint64_t first, uint64_t second);
  std::vector<LogEntry> get_entries(uint64_t start, uint64_t end);  // inclusive, as in §4.6

 private:
  std::string get(const std::string& path, size_t max_body);
  LogTransport& transport_;
};

}  // namespace xmppcert::logwatch
