#include "ca/log/transparency_log.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <unistd.h>

#include "ct/ct_codec.h"
#include "ca/log/log_store.h"
#include "engine/certificate.h"
#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// The log key, made when missing, unless the log already holds entries: they were signed
// with the lost key, and a new one would be a new log its monitors do not know.
ctlog::LogKey open_log_key(const std::filesystem::path& dir, Storage& storage,
                           const IssuingCa& ca) {
  if (ca.log_key) {  // in the CA's token: a handle of our own on it
    EVP_PKEY_up_ref(ca.log_key.get());
    return ctlog::log_key_of(PKeyPtr(ca.log_key.get()), ca.token->name());
  }
  uint64_t entries = ctlog::LogStore(storage).size();
  auto path = ctlog::log_key_path(dir);
  if (entries > 0 && ::access(path.c_str(), F_OK) != 0)
    throw_operation_error("start the transparency log", path.string(),
                          "the key is missing, but the log holds " + std::to_string(entries) +
                              " entries signed with it: restore it from a backup (a new key "
                              "would make a new log that no monitor knows)");
  return ctlog::load_or_create_log_key(dir);
}

}  // namespace

std::string certificate_der(X509* cert) {
  unsigned char* der = nullptr;
  int length = i2d_X509(cert, &der);
  if (length <= 0) throw_operation_error("encode", "a certificate as DER", openssl_error_text());
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string sha256_of(std::string_view data) {
  std::string out(32, '\0');
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), nullptr,
             EVP_sha256(), nullptr);
  return out;
}

TransparencyLog::TransparencyLog(const std::filesystem::path& state_dir, Storage& storage,
                                 const IssuingCa& ca)
    : storage_(storage), ca_(ca), key_(open_log_key(state_dir, storage, ca)) {
  root_der_ = certificate_der(parse_certificate(ca.root, "the CA's root").get());
  issuer_chain_extra_data_ =
      ctlog::x509_chain_extra_data({certificate_der(ca.cert.get()), root_der_});
  refresh_tree_head();
}

void TransparencyLog::append_issued(const std::string& leaf_pem, const std::string& serial) {
  std::string der = certificate_der(parse_certificate(leaf_pem, "certificate " + serial).get());
  ctlog::LogStore(storage_).append(ctlog::x509_leaf_input(now_ms(), der), issuer_chain_extra_data_,
                                   sha256_of(der), serial);
}

void TransparencyLog::refresh_tree_head() { sign_tree_head(true); }

SignedTreeHead TransparencyLog::tree_head() { return sign_tree_head(false); }

SignedTreeHead TransparencyLog::sign_tree_head(bool force) {
  std::lock_guard guard(sth_mutex_);
  uint64_t size = 0;
  std::vector<ctlog::Hash> leaves;
  ctlog::LogStore store(storage_);
  size = store.size();
  if (sth_valid_ && !force && size == sth_.tree_size &&
      std::chrono::steady_clock::now() - sth_signed_at_ <
          std::chrono::seconds(kMaximumMergeDelaySeconds))
    return sth_;
  // The log only grows: the first `size` entries are there whatever commits meanwhile.
  leaves = store.leaf_hashes(size);
  SignedTreeHead sth;
  sth.tree_size = size;
  sth.timestamp_ms = std::max(now_ms(), sth_valid_ ? sth_.timestamp_ms + 1 : 0);
  sth.root = ctlog::root_hash(leaves);
  sth.signature = ctlog::digitally_signed(
      3, ctlog::sign_sha256(key_.key.get(), ctlog::tree_head_signature_input(
                                                sth.timestamp_ms, sth.tree_size, sth.root)));
  sth_ = sth;
  sth_valid_ = true;
  sth_signed_at_ = std::chrono::steady_clock::now();
  return sth_;
}

std::string TransparencyLog::signed_certificate_timestamp(uint64_t timestamp_ms,
                                                          const std::string& cert_der) {
  return ctlog::digitally_signed(
      3, ctlog::sign_sha256(key_.key.get(), ctlog::sct_signature_input(timestamp_ms, cert_der)));
}

}  // namespace xmppcert::ca
