// Anti-replay nonces (RFC 8555 §6.5): each accepted once.
// One instance: issuing stores nothing: a nonce is a counter and its HMAC under a key of this
// process (boulder's nonce service), so a flood of new-nonce requests evicts no one's nonce.
// Only used nonces are remembered, at most `capacity`; when more are used, the oldest
// counters below the forgotten ones stop being accepted (answered with badNonce like a
// replayed one: the client retries with the fresh nonce that comes with the error). A
// restart invalidates every nonce.
// Shared (several instances on one database, after share()): a nonce is issue time + random
// + HMAC with a key every instance reads from the database, valid for 10 minutes on any
// instance, and accepted once through a used-nonce record in the database.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <mutex>
#include <queue>
#include <string>
#include <unordered_set>
#include <vector>

namespace xmppcert::ca {

class NonceService {
 public:
  explicit NonceService(size_t capacity = 100000);
  std::string issue();
  // True once per issued nonce; false for unknown, forged, replayed or too old ones.
  bool consume(const std::string& nonce);
  // From now on nonces are MACed with `key` and `first_use(nonce, expires)` says whether a
  // nonce is seen for the first time (it may throw StorageUnavailable).
  void share(std::string key, std::function<bool(const std::string&, std::time_t)> first_use);

 private:
  std::string mac(uint64_t counter) const;
  std::string issue_shared() const;
  bool consume_shared(const std::string& nonce) const;

  std::mutex mutex_;
  size_t capacity_;
  std::string key_;
  uint64_t next_ = 1;
  uint64_t lowest_valid_ = 1;
  std::unordered_set<uint64_t> used_;
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<>> used_order_;
  std::string shared_key_;
  std::function<bool(const std::string&, std::time_t)> first_use_;
};

std::string random_id(size_t bytes);  // base64url of `bytes` random bytes

}  // namespace xmppcert::ca
