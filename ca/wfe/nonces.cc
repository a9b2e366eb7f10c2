#include "ca/wfe/nonces.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
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

namespace {

constexpr std::time_t kSharedNonceLifetime = 600;
constexpr size_t kStampBytes = 8 + 16;  // issue time (big-endian seconds) + random
constexpr size_t kMacBytes = 16;

std::string shared_mac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<char*>(out), kMacBytes);
}

}  // namespace

void NonceService::share(std::string key,
                         std::function<bool(const std::string&, std::time_t)> first_use) {
  shared_key_ = std::move(key);
  first_use_ = std::move(first_use);
}

std::string NonceService::issue_shared() const {
  std::string stamp(8, '\0');
  auto now = static_cast<unsigned long long>(std::time(nullptr));
  for (int i = 7; i >= 0; --i, now >>= 8) stamp[i] = static_cast<char>(now & 0xff);
  stamp += base64url_decode(random_id(16), "nonce");
  return base64url_encode(stamp + shared_mac(shared_key_, stamp));
}

bool NonceService::consume_shared(const std::string& nonce) const {
  std::string raw;
  try {
    raw = base64url_decode(nonce, "nonce");
  } catch (const std::exception&) {
    return false;
  }
  if (raw.size() != kStampBytes + kMacBytes) return false;
  std::string stamp = raw.substr(0, kStampBytes);
  if (CRYPTO_memcmp(shared_mac(shared_key_, stamp).data(), raw.data() + kStampBytes, kMacBytes) != 0)
    return false;
  std::time_t issued = 0;
  for (int i = 0; i < 8; ++i) issued = (issued << 8) | static_cast<unsigned char>(raw[i]);
  std::time_t now = std::time(nullptr);
  if (issued > now + 5 || now - issued > kSharedNonceLifetime) return false;
  return first_use_(nonce, issued + kSharedNonceLifetime);
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
  if (!shared_key_.empty()) return issue_shared();
  uint64_t counter;
  {
    std::lock_guard guard(mutex_);
    counter = next_++;
  }
  return base64url_encode(std::string(reinterpret_cast<const char*>(&counter), sizeof counter) +
                          mac(counter));
}

bool NonceService::consume(const std::string& nonce) {
  if (!shared_key_.empty()) return consume_shared(nonce);
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
