#include "ca/nonces.h"

#include <openssl/rand.h>

#include "engine/encoding.h"
#include "engine/errors.h"

namespace xmppcert::ca {

std::string random_id(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw_operation_error("generate", "random identifier", openssl_error_text());
  return base64url_encode(raw);
}

std::string NonceService::issue() {
  std::string nonce = random_id(16);
  std::lock_guard guard(mutex_);
  valid_.insert(nonce);
  order_.push_back(nonce);
  while (order_.size() > capacity_) {
    valid_.erase(order_.front());
    order_.pop_front();
  }
  return nonce;
}

bool NonceService::consume(const std::string& nonce) {
  std::lock_guard guard(mutex_);
  return valid_.erase(nonce) == 1;  // its entry in order_ goes when it reaches the front
}

}  // namespace xmppcert::ca
