// Anti-replay nonces (RFC 8555 §6.5): random, each accepted once. A bounded set: the oldest
// are forgotten first, and a forgotten nonce is answered with badNonce like a replayed one
// (the client retries with the fresh nonce that comes with the error).
#pragma once

#include <deque>
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

 private:
  std::mutex mutex_;
  size_t capacity_;
  std::unordered_set<std::string> valid_;
  std::deque<std::string> order_;
};

std::string random_id(size_t bytes);  // base64url of `bytes` random bytes

}  // namespace xmppcert::ca
