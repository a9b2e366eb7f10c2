// The CA's Certificate Transparency log (RFC 6962): every certificate the CA issues is an
// x509_entry appended in the transaction that stores it (ca/ra/finalize.cc), so none is
// issued unlogged; the tree is built from the leaf hashes in the database (log_store.h);
// signed tree heads are ECDSA P-256 over SHA-256 with the log key (log_key.h), re-signed
// when asked for (get-sth) and the tree grew or the last is a second old, from the leaf
// hashes in the database as they are then (a rewritten entry shows in the next head);
// issuance signs none. Maximum merge delay: 1 s (an entry is in every tree head signed after
// its issuance commits). The v1 API under /ct/v1/ is in ct_api.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "ca/ca_keys.h"
#include "ca/log/log_key.h"
#include "ct/merkle.h"
#include "ca/sa/storage.h"
#include "ca/wfe/web.h"

namespace xmppcert::ca {

struct SignedTreeHead {
  uint64_t tree_size = 0;
  uint64_t timestamp_ms = 0;
  ctlog::Hash root{};
  std::string signature;  // DigitallySigned, TLS encoding
};

class TransparencyLog {
 public:
  static constexpr int kMaximumMergeDelaySeconds = 1;

  // Loads (or makes) <state>/log.key and creates the log's tables in `storage`.
  TransparencyLog(const std::filesystem::path& state_dir, Storage& storage, const IssuingCa& ca);

  // Sequences an issued certificate; call inside storage.transaction().
  void append_issued(const std::string& leaf_pem, const std::string& serial);
  // Signs a tree head over everything committed so far.
  void refresh_tree_head();
  // The current tree head, re-signed when the tree grew or it is a second old.
  SignedTreeHead tree_head();

  // GET/POST /ct/v1/...: JSON answers; 400 with {"error_message"} for a bad request.
  WebResponse handle(const WebRequest& request);

  const ctlog::LogKey& key() const { return key_; }

 private:
  WebResponse route(const WebRequest& request);
  WebResponse get_sth();
  WebResponse get_sth_consistency(const WebRequest& request);
  WebResponse get_proof_by_hash(const WebRequest& request);
  WebResponse get_entries(const WebRequest& request);
  WebResponse get_roots();
  WebResponse get_entry_and_proof(const WebRequest& request);
  WebResponse add_chain(const WebRequest& request);
  // The ACME account that ordered the entry's certificate (get-entries tells the members).
  std::optional<long long> ordering_account(const std::string& leaf_input);

  SignedTreeHead sign_tree_head(bool force);
  std::string signed_certificate_timestamp(uint64_t timestamp_ms, const std::string& cert_der);

  Storage& storage_;
  const IssuingCa& ca_;
  ctlog::LogKey key_;
  std::string issuer_chain_extra_data_;  // the intermediate and the root
  std::string root_der_;
  std::mutex sth_mutex_;
  SignedTreeHead sth_;
  std::chrono::steady_clock::time_point sth_signed_at_;
  bool sth_valid_ = false;
};

std::string certificate_der(X509* cert);
std::string sha256_of(std::string_view data);  // raw bytes

}  // namespace xmppcert::ca
