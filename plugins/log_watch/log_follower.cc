#include "plugins/log_watch/log_follower.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ct/ct_codec.h"
#include "ct/merkle_verify.h"
#include "engine/certificate.h"
#include "engine/fs.h"
#include "engine/log.h"

namespace xmppcert::logwatch {
namespace {

constexpr size_t kMaxLogList = 1 << 20;

void append_leaf(WatchedLog& log, const ctlog::Hash& leaf) {
  ctlog::Hash node = leaf;
  for (uint64_t n = log.next_index; n & 1; n >>= 1) {
    node = ctlog::hash_children(log.read_range.back(), node);
    log.read_range.pop_back();
  }
  log.read_range.push_back(node);
  ++log.next_index;
}

ctlog::Hash range_root(const std::vector<ctlog::Hash>& range) {
  if (range.empty()) return ctlog::hash_empty();
  ctlog::Hash root = range.back();
  for (size_t i = range.size() - 1; i-- > 0;) root = ctlog::hash_children(range[i], root);
  return root;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), ::tolower);
  return text;
}

bool covers(const std::string& san, const std::string& name) {
  if (san == name) return true;
  if (!san.starts_with("*.")) return false;
  size_t dot = name.find('.');
  return dot != std::string::npos && name.substr(dot) == san.substr(1);
}

// The entry's certificate when it names one of ours; null otherwise (or not an x509 entry).
X509Ptr certificate_naming(const std::string& leaf_input, const std::set<std::string>& names,
                           uint64_t& timestamp_ms) {
  auto leaf = ctlog::parse_x509_leaf_input(leaf_input);
  if (!leaf) return nullptr;  // a precertificate or unknown entry type: not ours to judge
  timestamp_ms = leaf->timestamp_ms;
  const auto* der = reinterpret_cast<const unsigned char*>(leaf->cert_der.data());
  X509Ptr cert(d2i_X509(nullptr, &der, static_cast<long>(leaf->cert_der.size())));
  if (!cert) return nullptr;
  GENERAL_NAMES* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  bool hit = false;
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans) && !hit; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* dns = name->d.dNSName;
    std::string san = lower(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                        static_cast<size_t>(ASN1_STRING_length(dns))));
    for (const auto& ours : names) hit = hit || covers(san, ours);
  }
  GENERAL_NAMES_free(sans);
  if (!hit)  // a certificate without SANs names its host in the CN
    for (const auto& ours : names)
      hit = hit || X509_check_host(cert.get(), ours.c_str(), ours.size(), 0, nullptr) == 1;
  return hit ? std::move(cert) : nullptr;
}

LogAlarm certificate_alarm(X509* cert, const std::string& url, uint64_t index,
                           uint64_t timestamp_ms, const std::string& account_path,
                           std::time_t now) {
  CertificateInfo info = inspect_certificate(cert);
  LogAlarm alarm;
  alarm.kind = LogAlarm::Kind::certificate;
  alarm.log = url;
  alarm.serial = info.serial_hex;
  alarm.names = info.identities.dns_ids;
  if (alarm.names.empty()) alarm.names.push_back(info.subject);
  alarm.log_index = index;
  alarm.logged_at = static_cast<std::time_t>(timestamp_ms / 1000);
  alarm.issuer = info.issuer;
  // The log's URL ends in "/"; the account's path begins with one.
  if (!account_path.empty()) alarm.account = url.substr(0, url.size() - 1) + account_path;
  alarm.raised_at = now;
  return alarm;
}

}  // namespace

LogDescription read_log_list(const std::filesystem::path& file) {
  std::string text = read_file(file);
  if (text.size() > kMaxLogList)
    throw_operation_error("read log list", file.string(), "larger than 1 MiB");
  nlohmann::json list = nlohmann::json::parse(text, nullptr, false);
  const nlohmann::json* log = nullptr;
  if (list.is_object() && list.contains("operators") && list["operators"].is_array())
    for (const auto& op : list["operators"])
      if (!log && op.is_object() && op.contains("logs") && op["logs"].is_array() &&
          !op["logs"].empty() && op["logs"][0].is_object())
        log = &op["logs"][0];
  if (!log || !log->value("url", nlohmann::json()).is_string() ||
      !log->value("key", nlohmann::json()).is_string())
    throw_operation_error("read log list", file.string(),
                          "no log with a \"url\" and a \"key\" (expected `xmppcert-ca log-list`)");
  LogDescription out;
  out.url = (*log)["url"];
  if (!out.url.ends_with("/")) out.url += "/";
  require_secure_url(out.url);
  auto spki = ctlog::base64_decode((*log)["key"].get<std::string>());
  const auto* der = spki ? reinterpret_cast<const unsigned char*>(spki->data()) : nullptr;
  if (der) out.key.reset(d2i_PUBKEY(nullptr, &der, static_cast<long>(spki->size())));
  if (!out.key)
    throw_operation_error("read log list", file.string(), "the log's \"key\" is no public key");
  return out;
}

bool tree_head_signature_verifies(const TreeHead& head, EVP_PKEY* key) {
  return digitally_signed_verifies(
      head.signature, ctlog::tree_head_signature_input(head.timestamp_ms, head.tree_size, head.root),
      key);
}

bool digitally_signed_verifies(const std::string& ds, const std::string& input, EVP_PKEY* key) {
  // DigitallySigned: hash, signature, opaque<2>
  if (ds.size() < 4 || static_cast<unsigned char>(ds[0]) != 4) return false;  // sha256
  size_t length = static_cast<unsigned char>(ds[2]) << 8 | static_cast<unsigned char>(ds[3]);
  if (ds.size() != 4 + length) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(ds.data() + 4), length,
                             reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::vector<LogAlarm> follow_log(const std::string& key, LogWatchState& state,
                                 const FollowRequest& request) {
  WatchedLog log = state.logs.count(key) ? state.logs[key] : WatchedLog{};
  log.url = request.log.url;
  LogClient client(request.transport);
  std::vector<LogAlarm> raised;
  auto raise = [&](LogAlarm alarm) {
    for (const auto& known : state.alarms) {
      bool same = alarm.kind == LogAlarm::Kind::log
                      ? known.kind == alarm.kind && known.log == alarm.log && !known.acknowledged
                      : known.kind == alarm.kind && known.serial == alarm.serial;
      if (same) return;
    }
    state.alarms.push_back(alarm);
    raised.push_back(alarm);
  };
  try {
    TreeHead head = client.get_sth();
    if (!tree_head_signature_verifies(head, request.log.key.get()))
      throw LogMisbehaved("the tree head of size " + std::to_string(head.tree_size) +
                          " is not signed by the log's key");
    if (log.has_tree_head) {
      if (head.tree_size < log.tree_size)
        throw LogMisbehaved("the tree shrank from " + std::to_string(log.tree_size) + " to " +
                            std::to_string(head.tree_size) + " entries");
      if (head.tree_size == log.tree_size && head.root != log.root)
        throw LogMisbehaved("two different roots for the tree of size " +
                            std::to_string(head.tree_size) + ": history was rewritten");
      if (head.tree_size > log.tree_size && log.tree_size > 0) {
        auto proof = client.get_consistency(log.tree_size, head.tree_size);
        if (!ctlog::verify_consistency(log.tree_size, head.tree_size, log.root, head.root, proof))
          throw LogMisbehaved("the tree of size " + std::to_string(head.tree_size) +
                              " is not consistent with the one of size " +
                              std::to_string(log.tree_size) + " seen before: history was rewritten");
      }
    } else if (head.tree_size == 0 && head.root != ctlog::hash_empty()) {
      throw LogMisbehaved("the empty tree has a root that is not the empty hash");
    }
    log.has_tree_head = true;
    log.tree_size = head.tree_size;
    log.timestamp_ms = head.timestamp_ms;
    log.root = head.root;

    uint64_t stop = std::min(head.tree_size, log.next_index + request.max_entries);
    struct Candidate {
      uint64_t index, timestamp_ms;
      X509Ptr cert;
      std::string account_path;
    };
    std::vector<Candidate> candidates;
    while (log.next_index < stop) {
      uint64_t end = std::min(stop, log.next_index + kEntriesPerRequest) - 1;
      for (const auto& entry : client.get_entries(log.next_index, end)) {
        uint64_t timestamp = 0;
        if (X509Ptr cert = certificate_naming(entry.leaf_input, request.names, timestamp))
          candidates.push_back({log.next_index, timestamp, std::move(cert), entry.account_path});
        append_leaf(log, ctlog::hash_leaf(entry.leaf_input));
      }
    }
    if (log.next_index == head.tree_size && range_root(log.read_range) != head.root)
      throw LogMisbehaved("the entries it served up to " + std::to_string(head.tree_size) +
                          " do not hash to its signed root");
    for (const auto& found : candidates)
      if (!request.ours(found.cert.get()))
        raise(certificate_alarm(found.cert.get(), log.url, found.index, found.timestamp_ms,
                                found.account_path, request.now));
    log.last_success = request.now;
    state.logs[key] = log;
  } catch (const LogMisbehaved& e) {
    LogAlarm alarm;
    alarm.kind = LogAlarm::Kind::log;
    alarm.log = request.log.url;
    alarm.problem = e.what();
    alarm.raised_at = request.now;
    raise(alarm);
  }
  return raised;
}

}  // namespace xmppcert::logwatch
