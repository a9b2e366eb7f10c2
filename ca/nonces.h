// Anti-replay nonces (RFC 8555 §6.5): each accepted once. Issuing stores nothing: a nonce is
// a counter and its HMAC under a key of this process (boulder's nonce service), so a flood
// of new-nonce requests evicts no one's nonce. Only used nonces are remembered, at most
// `capacity`; when more are used, the oldest counters below the forgotten ones stop being
// accepted (answered with badNonce like a replayed one: the client retries with the fresh
// nonce that comes with the error). A restart invalidates every nonce, as before.
#pragma once

#include <cstdint>
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

 private:
  std::string mac(uint64_t counter) const;

  std::mutex mutex_;
  size_t capacity_;
  std::string key_;
  uint64_t next_ = 1;
  uint64_t lowest_valid_ = 1;
  std::unordered_set<uint64_t> used_;
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<>> used_order_;
};

std::string random_id(size_t bytes);  // base64url of `bytes` random bytes

}  // namespace xmppcert::ca
