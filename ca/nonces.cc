#include "ca/nonces.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstring>

#include "engine/encoding.h"
#include "engine/errors.h"

namespace xmppcert::ca {

std::string random_id(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw_operation_error("generate", "random identifier", openssl_error_text());
  return base64url_encode(raw);
}

NonceService::NonceService(size_t capacity) : capacity_(capacity) {
  key_.resize(32);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), 32) != 1)
    throw_operation_error("generate", "nonce key", openssl_error_text());
}

std::string NonceService::mac(uint64_t counter) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(&counter), sizeof counter, digest, &length);
  return std::string(reinterpret_cast<char*>(digest), 16);
}

std::string NonceService::issue() {
  uint64_t counter;
  {
    std::lock_guard guard(mutex_);
    counter = next_++;
  }
  return base64url_encode(std::string(reinterpret_cast<const char*>(&counter), sizeof counter) +
                          mac(counter));
}

bool NonceService::consume(const std::string& nonce) {
  if (nonce.size() != 32) return false;  // base64url of 8 + 16 bytes
  std::string raw;
  try {
    raw = base64url_decode(nonce, "nonce");
  } catch (const std::exception&) {
    return false;
  }
  if (raw.size() != 24) return false;
  uint64_t counter;
  std::memcpy(&counter, raw.data(), sizeof counter);
  if (CRYPTO_memcmp(raw.data() + 8, mac(counter).data(), 16) != 0) return false;
  std::lock_guard guard(mutex_);
  if (counter < lowest_valid_ || counter >= next_ || !used_.insert(counter).second) return false;
  used_order_.push(counter);
  while (used_.size() > capacity_) {
    uint64_t oldest = used_order_.top();
    used_order_.pop();
    used_.erase(oldest);
    lowest_valid_ = oldest + 1;
  }
  return true;
}

}  // namespace xmppcert::ca
