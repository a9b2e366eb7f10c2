#include "plugins/log_watch/inclusion_check.h"

#include <nlohmann/json.hpp>
#include <thread>

#include "ct/ct_codec.h"
#include "ct/merkle_verify.h"
#include "engine/certificate.h"
#include "engine/encoding.h"
#include "engine/log.h"

namespace xmppcert::logwatch {
namespace {

std::string der_of(X509* cert) {
  unsigned char* out = nullptr;
  int length = i2d_X509(cert, &out);
  if (length <= 0) throw OperationError("encode certificate: i2d_X509 failed");
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(length));
  OPENSSL_free(out);
  return der;
}

// base64 in a query string: '+', '/' and '=' escaped.
std::string query_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '+') out += "%2B";
    else if (c == '/') out += "%2F";
    else if (c == '=') out += "%3D";
    else out += c;
  }
  return out;
}

// The entry's timestamp from the log's SCT for `der`, once its signature verifies.
uint64_t logged_timestamp(const LogDescription& log, LogTransport& transport,
                          const std::string& der, const std::vector<std::string>& chain_der) {
  nlohmann::json chain = nlohmann::json::array({base64_encode(der)});
  for (const auto& issuer : chain_der) chain.push_back(base64_encode(issuer));
  std::string body =
      transport.post("add-chain", nlohmann::json{{"chain", chain}}.dump(), kMaxSmallAnswer);
  if (body.size() > kMaxSmallAnswer) throw LogMisbehaved("add-chain: answer too large");
  nlohmann::json sct = nlohmann::json::parse(body, nullptr, false);
  if (!sct.is_object() || !sct.value("timestamp", nlohmann::json()).is_number_unsigned() ||
      !sct.value("signature", nlohmann::json()).is_string())
    throw LogMisbehaved("add-chain: no SCT with a \"timestamp\" and a \"signature\"");
  uint64_t timestamp = sct["timestamp"].get<uint64_t>();
  auto signature = ctlog::base64_decode(sct["signature"].get<std::string>());
  if (!signature || signature->size() > 1024 ||
      !digitally_signed_verifies(*signature, ctlog::sct_signature_input(timestamp, der),
                                 log.key.get()))
    throw LogMisbehaved("add-chain: the SCT is not signed by the log's key");
  return timestamp;
}

}  // namespace

InclusionProof require_in_log(const LogDescription& log, LogTransport& transport, X509* leaf,
                              const std::vector<std::string>& chain_der,
                              const InclusionCheckOptions& options) {
  const std::string der = der_of(leaf);
  uint64_t timestamp = logged_timestamp(log, transport, der, chain_der);
  ctlog::Hash leaf_hash = ctlog::hash_leaf(ctlog::x509_leaf_input(timestamp, der));
  LogClient client(transport);
  std::string last_problem;
  for (int attempt = 0; attempt < options.attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(options.between);
    TreeHead head = client.get_sth();
    if (!tree_head_signature_verifies(head, log.key.get()))
      throw LogMisbehaved("the tree head of size " + std::to_string(head.tree_size) +
                          " is not signed by the log's key");
    if (head.tree_size == 0) {
      last_problem = "the signed tree is empty";
      continue;
    }
    std::string body;
    try {
      body = transport.get("get-proof-by-hash?hash=" + query_escaped(ctlog::base64_of(leaf_hash)) +
                               "&tree_size=" + std::to_string(head.tree_size),
                           kMaxSmallAnswer);
    } catch (const LogMisbehaved&) {
      throw;
    } catch (const OperationError& e) {  // 400: not in this tree (yet)
      last_problem = e.what();
      continue;
    }
    auto [index, path] = parse_audit_path(body);
    if (index >= head.tree_size ||
        !ctlog::verify_inclusion(leaf_hash, index, head.tree_size, path, head.root))
      throw LogMisbehaved("get-proof-by-hash: the audit path of entry " + std::to_string(index) +
                          " does not lead to the signed root of the tree of size " +
                          std::to_string(head.tree_size));
    return {index, head.tree_size};
  }
  throw OperationError("certificate serial " + inspect_certificate(leaf).serial_hex +
                       " is not in transparency log " + log.url + " after " +
                       std::to_string(options.attempts) + " tree heads: " + last_problem);
}

namespace {

class LogCheckedIssuer : public Issuer {
 public:
  explicit LogCheckedIssuer(std::unique_ptr<Issuer> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  IssuedCertificate issue(const IssuanceRequest& request) override {
    IssuedCertificate issued = inner_->issue(request);
    auto source = inner_->transparency_log();
    if (!source) return issued;
    LogDescription log = read_log_list(source->log_list_file);
    HttpLogTransport transport(log.url, source->trust_file);
    X509Ptr leaf = parse_certificate(issued.cert_pem, "certificate from issuer " + name());
    std::vector<std::string> chain;
    if (!issued.chain_pem.empty())
      for (const auto& cert : parse_certificate_chain(issued.chain_pem, "chain from issuer " + name()))
        chain.push_back(der_of(cert.get()));
    InclusionProof proof = require_in_log(log, transport, leaf.get(), chain);
    log_line(request.name, "serial " + inspect_certificate(leaf.get()).serial_hex +
                               " is entry " + std::to_string(proof.leaf_index) +
                               " of transparency log " + log.url +
                               " (inclusion proof verified against its tree head of size " +
                               std::to_string(proof.tree_size) + ")");
    return issued;
  }
  void revoke(X509* certificate, EVP_PKEY* certificate_key, int reason) override {
    inner_->revoke(certificate, certificate_key, reason);
  }
  std::optional<RenewalAdvice> renewal_advice(X509* certificate) override {
    return inner_->renewal_advice(certificate);
  }
  std::optional<TransparencyLogSource> transparency_log() override {
    return inner_->transparency_log();
  }
  std::string validity_given(std::chrono::seconds requested) const override {
    return inner_->validity_given(requested);
  }
  PreflightChecks preflight() const override { return inner_->preflight(); }

 private:
  std::unique_ptr<Issuer> inner_;
};

}  // namespace

std::unique_ptr<Issuer> check_issued_in_log(std::unique_ptr<Issuer> inner) {
  return std::make_unique<LogCheckedIssuer>(std::move(inner));
}

}  // namespace xmppcert::logwatch
