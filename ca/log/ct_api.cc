// The RFC 6962 v1 API (§4) of the CA's log, under /ct/v1/ on the CA's listener. Reads take
// the current signed tree head as their bound: a tree_size beyond it, a bad range or an
// unknown hash is 400 with {"error_message"}. get-entries returns at most 1000 entries, each
// with the ordering account's path ("xmppcert_account", an addition to the RFC).
// add-chain takes certificates this CA signed: one it logged gets its SCT again (with the
// entry's timestamp); one it signed but did not log is appended then (evidence, not
// history lost). add-pre-chain is refused: this CA issues no precertificates.
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "ct/ct_codec.h"
#include "ca/log/log_store.h"
#include "ct/merkle.h"
#include "ca/log/transparency_log.h"
#include "ca/signer.h"
#include "engine/encoding.h"
#include "engine/log.h"

namespace xmppcert::ca {
namespace {

constexpr uint64_t kMaxEntriesPerRequest = 1000;
constexpr size_t kMaxChainLength = 10;

struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

WebResponse json_answer(int status, const nlohmann::json& body) {
  WebResponse response;
  response.status = status;
  // Errors quote what was asked, which need not be UTF-8.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

std::map<std::string, std::string> query_of(const WebRequest& request) {
  auto params = ctlog::parse_query(request.query);
  if (!params) throw BadRequest("the query string has a bad %-escape");
  return *params;
}

uint64_t number(const std::map<std::string, std::string>& params, const std::string& name) {
  auto found = params.find(name);
  if (found == params.end()) throw BadRequest("missing parameter " + name);
  const std::string& text = found->second;
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos)
    throw BadRequest("parameter " + name + " is not a non-negative integer: " + text.substr(0, 40));
  return std::stoull(text);
}

nlohmann::json base64_list(const std::vector<ctlog::Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& hash : hashes) out.push_back(ctlog::base64_of(hash));
  return out;
}

std::string der_of_pem_or_throw(const std::string& base64, const char* what) {
  auto der = ctlog::base64_decode(base64);
  if (!der) throw BadRequest(std::string(what) + " is not base64");
  return *der;
}

}  // namespace

std::optional<long long> TransparencyLog::ordering_account(const std::string& leaf_input) {
  auto leaf = ctlog::parse_x509_leaf_input(leaf_input);
  if (!leaf) return std::nullopt;
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(leaf->cert_der.data());
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(leaf->cert_der.size())));
  if (!cert) return std::nullopt;
  auto issued = storage_.certificate(serial_hex(cert.get()));
  return issued ? std::optional<long long>(issued->account) : std::nullopt;
}

WebResponse TransparencyLog::handle(const WebRequest& request) {
  try {
    return route(request);
  } catch (const BadRequest& error) {
    return json_answer(400, {{"success", false}, {"error_message", error.what()}});
  } catch (const std::exception& error) {
    log_line("xmppcert-ca", std::string("transparency log: internal error on ") + request.method +
                                " " + request.target + ": " + error.what());
    return json_answer(500,
                       {{"success", false}, {"error_message", "internal error; see the CA's log"}});
  }
}

WebResponse TransparencyLog::route(const WebRequest& request) {
  const std::string prefix = "/ct/v1/";
  std::string name = request.target.substr(prefix.size());
  bool get = request.method == "GET" || request.method == "HEAD";
  if (get && name == "get-sth") return get_sth();
  if (get && name == "get-sth-consistency") return get_sth_consistency(request);
  if (get && name == "get-proof-by-hash") return get_proof_by_hash(request);
  if (get && name == "get-entries") return get_entries(request);
  if (get && name == "get-roots") return get_roots();
  if (get && name == "get-entry-and-proof") return get_entry_and_proof(request);
  if (request.method == "POST" && name == "add-chain") return add_chain(request);
  if (request.method == "POST" && name == "add-pre-chain")
    throw BadRequest("this log takes no precertificates: the CA logs each certificate it issues");
  WebResponse response = json_answer(
      404, {{"error_message", "no such log resource: " + request.method + " " + request.target}});
  return response;
}

WebResponse TransparencyLog::get_sth() {
  SignedTreeHead sth = tree_head();
  return json_answer(200, {{"tree_size", sth.tree_size},
                           {"timestamp", sth.timestamp_ms},
                           {"sha256_root_hash", ctlog::base64_of(sth.root)},
                           {"tree_head_signature", base64_encode(sth.signature)}});
}

WebResponse TransparencyLog::get_sth_consistency(const WebRequest& request) {
  auto params = query_of(request);
  uint64_t first = number(params, "first"), second = number(params, "second");
  uint64_t size = tree_head().tree_size;
  if (first > second || second > size)
    throw BadRequest("need first <= second <= " + std::to_string(size) + " (the tree size)");
  std::vector<ctlog::Hash> proof;
  if (first > 0 && first < second) {
    auto leaves = ctlog::LogStore(storage_).leaf_hashes(second);
    proof = ctlog::consistency_proof(first, leaves);
  }
  return json_answer(200, {{"consistency", base64_list(proof)}});
}

WebResponse TransparencyLog::get_proof_by_hash(const WebRequest& request) {
  auto params = query_of(request);
  auto hash_text = params.find("hash");
  if (hash_text == params.end()) throw BadRequest("missing parameter hash");
  auto raw = ctlog::base64_decode(hash_text->second);
  if (!raw || raw->size() != 32) throw BadRequest("hash is not a base64 SHA-256 leaf hash");
  ctlog::Hash hash;
  std::copy(raw->begin(), raw->end(), hash.begin());
  uint64_t tree_size = number(params, "tree_size");
  if (tree_size == 0 || tree_size > tree_head().tree_size)
    throw BadRequest("tree_size must be 1 .. the current tree size");
  ctlog::LogStore store(storage_);
  auto index = store.index_of_leaf_hash(hash);
  if (!index || *index >= tree_size)
    throw BadRequest("no leaf with that hash in the tree of size " + std::to_string(tree_size));
  auto leaves = store.leaf_hashes(tree_size);  // committed: tree_size <= the signed size
  return json_answer(200, {{"leaf_index", *index},
                           {"audit_path", base64_list(ctlog::audit_path(*index, leaves))}});
}

WebResponse TransparencyLog::get_entries(const WebRequest& request) {
  auto params = query_of(request);
  uint64_t start = number(params, "start"), end = number(params, "end");
  uint64_t size = tree_head().tree_size;
  if (start > end || start >= size)
    throw BadRequest("need start <= end and start < " + std::to_string(size) + " (the tree size)");
  end = std::min({end, size - 1, start + kMaxEntriesPerRequest - 1});
  auto entries = ctlog::LogStore(storage_).entries(start, end);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& entry : entries) {
    nlohmann::json item = {{"leaf_input", base64_encode(entry.leaf_input)},
                           {"extra_data", base64_encode(entry.extra_data)}};
    // Beyond RFC 6962 (monitors ignore it): the ACME account that ordered the certificate,
    // so that a member's alarm names whom to ask (plugins/log_watch/).
    if (auto account = ordering_account(entry.leaf_input))
      item["xmppcert_account"] = "/acme/acct/" + std::to_string(*account);
    list.push_back(std::move(item));
  }
  return json_answer(200, {{"entries", list}});
}

WebResponse TransparencyLog::get_roots() {
  return json_answer(200, {{"certificates", {base64_encode(root_der_)}}});
}

WebResponse TransparencyLog::get_entry_and_proof(const WebRequest& request) {
  auto params = query_of(request);
  uint64_t index = number(params, "leaf_index"), tree_size = number(params, "tree_size");
  if (index >= tree_size || tree_size > tree_head().tree_size)
    throw BadRequest("need leaf_index < tree_size <= the current tree size");
  ctlog::LogStore store(storage_);
  auto entries = store.entries(index, index);
  auto leaves = store.leaf_hashes(tree_size);
  return json_answer(200, {{"leaf_input", base64_encode(entries.at(0).leaf_input)},
                           {"extra_data", base64_encode(entries.at(0).extra_data)},
                           {"audit_path", base64_list(ctlog::audit_path(index, leaves))}});
}

WebResponse TransparencyLog::add_chain(const WebRequest& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("chain") || !body["chain"].is_array() ||
      body["chain"].empty() || body["chain"].size() > kMaxChainLength ||
      !body["chain"][0].is_string())
    throw BadRequest("body must be {\"chain\": [base64 DER, ...]} with 1 to 10 certificates");
  std::string der = der_of_pem_or_throw(body["chain"][0].get<std::string>(), "chain[0]");
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr leaf(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!leaf || cursor != reinterpret_cast<const unsigned char*>(der.data()) + der.size())
    throw BadRequest("chain[0] is not a DER certificate");
  if (X509_verify(leaf.get(), X509_get0_pubkey(ca_.cert.get())) != 1)
    throw BadRequest(
        "chain[0] is not signed by this CA's intermediate: this log takes only "
        "certificates that chain to its root");
  std::string cert_hash = sha256_of(der);
  std::string serial = serial_hex(leaf.get());
  bool appended = false;
  uint64_t timestamp = storage_.queued_transaction(kLogAppendQueue, Commit::kDurable, [&] {
    appended = false;  // the body runs again after a serialization failure
    ctlog::LogStore store(storage_);
    if (auto index = store.index_of_certificate(cert_hash)) {
      auto entries = store.entries(*index, *index);
      auto leaf_input = ctlog::parse_x509_leaf_input(entries.at(0).leaf_input);
      if (leaf_input) return leaf_input->timestamp_ms;
    }
    uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
    store.append(ctlog::x509_leaf_input(now, der), issuer_chain_extra_data_, cert_hash, serial);
    appended = true;
    return now;
  });
  if (appended)
    log_line("xmppcert-ca", "transparency log: add-chain appended serial " + serial +
                                ", signed by this CA but not logged before");
  refresh_tree_head();
  return json_answer(200,
                     {{"sct_version", 0},
                      {"id", ctlog::base64_of(key_.log_id)},
                      {"timestamp", timestamp},
                      {"extensions", ""},
                      {"signature", base64_encode(signed_certificate_timestamp(timestamp, der))}});
}

}  // namespace xmppcert::ca
