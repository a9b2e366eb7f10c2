// Anti-replay nonces (RFC 8555 §6.5): random, each accepted once. A bounded set: the oldest
// are forgotten first, and a forgotten nonce is answered with badNonce like a replayed one
// (the client retries with the fresh nonce that comes with the error).
// Shared (several instances on one database): a nonce is issue time + random + HMAC with a
// key every instance reads from the database, valid for 10 minutes on any instance, and
// accepted once through a used-nonce record in the database.
#pragma once

#include <ctime>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_set>

namespace xmppcert::ca {

class NonceService {
 public:
  explicit NonceService(size_t capacity = 100000) : capacity_(capacity) {}
  std::string issue();
  // True once per issued nonce; false for unknown, replayed or forgotten ones.
  bool consume(const std::string& nonce);
  // From now on nonces are MACed with `key` and `first_use(nonce, expires)` says whether a
  // nonce is seen for the first time (it may throw StorageUnavailable).
  void share(std::string key, std::function<bool(const std::string&, std::time_t)> first_use);

 private:
  std::string key_;
  std::function<bool(const std::string&, std::time_t)> first_use_;
  std::mutex mutex_;
  size_t capacity_;
  std::unordered_set<std::string> valid_;
  std::deque<std::string> order_;
};

std::string random_id(size_t bytes);  // base64url of `bytes` random bytes

}  // namespace xmppcert::ca
