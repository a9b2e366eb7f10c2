#include "ca/resolver.h"

#include <arpa/inet.h>
#include <unbound.h>

#include "engine/errors.h"

namespace xmppcert::ca {
namespace {
constexpr int kTypeA = 1, kTypeTxt = 16, kTypeAaaa = 28, kTypeCaa = 257, kClassIn = 1;
}

Resolver::Resolver(const std::string& forwarder) : ctx_(ub_ctx_create()) {
  if (!ctx_) throw_operation_error("create", "DNS resolver", "ub_ctx_create failed");
  int rc = 0;
  if (forwarder.empty()) {
    rc = ub_ctx_resolvconf(ctx_, nullptr);
  } else {
    // unbound writes ADDR@PORT; loopback forwarders must be allowed explicitly.
    std::string target = forwarder;
    size_t colon = target.rfind(':');
    if (colon != std::string::npos) target[colon] = '@';
    rc = ub_ctx_set_option(ctx_, "do-not-query-localhost:", "no");
    if (rc == 0) rc = ub_ctx_set_fwd(ctx_, target.c_str());
  }
  // unbound answers NXDOMAIN itself for the special-use "test." (RFC 6761); test networks
  // and closed federations use it, so its names are looked up like any other. Last: adding
  // a zone freezes the configuration.
  if (rc == 0) rc = ub_ctx_zone_add(ctx_, "test.", "transparent");
  if (rc != 0) {
    std::string cause = ub_strerror(rc);
    ub_ctx_delete(ctx_);
    throw UsageError("configure DNS resolver " + forwarder + ": " + cause);
  }
}

Resolver::~Resolver() { ub_ctx_delete(ctx_); }

std::vector<std::string> Resolver::rdata(const std::string& name, int type) {
  ub_result* result = nullptr;
  int rc;
  {
    std::lock_guard guard(mutex_);
    rc = ub_resolve(ctx_, name.c_str(), type, kClassIn, &result);
  }
  if (rc != 0) throw_operation_error("resolve", name, ub_strerror(rc));
  std::vector<std::string> out;
  if (result->bogus) {
    std::string why = result->why_bogus ? result->why_bogus : "DNSSEC validation failed";
    ub_resolve_free(result);
    throw_operation_error("resolve", name, why);
  }
  if (result->rcode != 0 && result->rcode != 3) {  // NOERROR, NXDOMAIN
    int rcode = result->rcode;
    ub_resolve_free(result);
    throw_operation_error("resolve", name, "DNS rcode " + std::to_string(rcode));
  }
  for (int i = 0; result->havedata && result->data[i]; ++i)
    out.emplace_back(result->data[i], result->len[i]);
  ub_resolve_free(result);
  return out;
}

std::vector<std::string> Resolver::addresses(const std::string& name) {
  std::vector<std::string> out;
  char text[INET6_ADDRSTRLEN];
  for (const auto& raw : rdata(name, kTypeA))
    if (raw.size() == 4 && inet_ntop(AF_INET, raw.data(), text, sizeof text)) out.push_back(text);
  for (const auto& raw : rdata(name, kTypeAaaa))
    if (raw.size() == 16 && inet_ntop(AF_INET6, raw.data(), text, sizeof text)) out.push_back(text);
  return out;
}

std::vector<std::string> Resolver::txt(const std::string& name) {
  std::vector<std::string> out;
  for (const auto& raw : rdata(name, kTypeTxt)) {
    std::string joined;  // a TXT record is a sequence of <length><bytes> strings
    for (size_t i = 0; i < raw.size();) {
      size_t length = static_cast<unsigned char>(raw[i]);
      joined += raw.substr(i + 1, length);
      i += 1 + length;
    }
    out.push_back(joined);
  }
  return out;
}

std::vector<CaaRecord> Resolver::caa(const std::string& name) {
  std::vector<CaaRecord> out;
  for (const auto& raw : rdata(name, kTypeCaa)) {
    if (raw.size() < 2) continue;
    size_t tag_length = static_cast<unsigned char>(raw[1]);
    if (raw.size() < 2 + tag_length) continue;
    out.push_back({static_cast<unsigned char>(raw[0]), raw.substr(2, tag_length),
                   raw.substr(2 + tag_length)});
  }
  return out;
}

}  // namespace xmppcert::ca
