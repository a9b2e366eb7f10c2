#include "ca/nonces.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
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

namespace {

constexpr std::time_t kSharedNonceLifetime = 600;
constexpr size_t kStampBytes = 8 + 16;  // issue time (big-endian seconds) + random
constexpr size_t kMacBytes = 16;

std::string mac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<char*>(out), kMacBytes);
}

}  // namespace

void NonceService::share(std::string key,
                         std::function<bool(const std::string&, std::time_t)> first_use) {
  key_ = std::move(key);
  first_use_ = std::move(first_use);
}

std::string NonceService::issue() {
  if (!key_.empty()) {
    std::string stamp(8, '\0');
    auto now = static_cast<unsigned long long>(std::time(nullptr));
    for (int i = 7; i >= 0; --i, now >>= 8) stamp[i] = static_cast<char>(now & 0xff);
    stamp += base64url_decode(random_id(16), "nonce");
    return base64url_encode(stamp + mac(key_, stamp));
  }
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
  if (!key_.empty()) {
    std::string raw;
    try {
      raw = base64url_decode(nonce, "nonce");
    } catch (const std::exception&) {
      return false;
    }
    if (raw.size() != kStampBytes + kMacBytes) return false;
    std::string stamp = raw.substr(0, kStampBytes);
    if (CRYPTO_memcmp(mac(key_, stamp).data(), raw.data() + kStampBytes, kMacBytes) != 0)
      return false;
    std::time_t issued = 0;
    for (int i = 0; i < 8; ++i) issued = (issued << 8) | static_cast<unsigned char>(raw[i]);
    std::time_t now = std::time(nullptr);
    if (issued > now + 5 || now - issued > kSharedNonceLifetime) return false;
    return first_use_(nonce, issued + kSharedNonceLifetime);
  }
  std::lock_guard guard(mutex_);
  return valid_.erase(nonce) == 1;  // its entry in order_ goes when it reaches the front
}

}  // namespace xmppcert::ca
