// Finalizing an order (RFC 8555 §7.4): the CSR is checked against the names the order
// validated, signed between two transactions (ready to processing, processing to valid with
// the certificate: no lock held while it is signed), recorded with the order and
// written to the audit log; the same transaction sequences it in the transparency log; then the
// certificate's download, for its own account only.
#include <openssl/x509.h>

#include "ca/problem.h"
#include "ca/ra/acme_service.h"
#include "ca/ra/policy.h"
#include "ca/wfe/json_limits.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/log.h"

namespace xmppcert::ca {
namespace {
// CA/Browser Forum BR 3.2.2.8: CAA is checked within 8 hours before issuance; an
// authorization lives 7 days, so one validated earlier has its CAA looked up again.
constexpr std::time_t kCaaCheckValidFor = 8 * 3600;
}  // namespace

void AcmeService::recheck_stale_caa(const nlohmann::json& order) {
  for (const auto& authz_id : order["authorizations"]) {
    auto authz = storage_.document("authz", authz_id.get<std::string>());
    if (!authz || (*authz)["status"] != "valid") continue;  // finalize refuses the order anyway
    if (now() - authz->value("caa_checked", std::time_t{0}) < kCaaCheckValidFor) continue;
    // Outside any transaction: a lookup takes up to the validation deadline.
    validator_.check_caa((*authz)["identifier"].get<std::string>(), validator_.deadline());
    storage_.transaction(Commit::kRepeatable, [&] {
      auto current = storage_.document("authz", authz_id.get<std::string>());
      if (!current) return;
      (*current)["caa_checked"] = now();
      storage_.put_document("authz", authz_id.get<std::string>(),
                            (*current)["account"].get<long long>(), *current);
    });
  }
}

WebResponse AcmeService::finalize(const VerifiedPost& post, const std::string& id) {
  auto started = std::chrono::steady_clock::now();
  nlohmann::json payload = post.json();
  std::string der, b64 = string_member(payload, "csr", "finalize").value_or("");
  try {
    der = base64url_decode(b64, "csr");
  } catch (const std::exception&) {
    throw AcmeProblem("badCSR", "csr is not base64url");
  }
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509ReqPtr csr(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(der.size())));
  if (!csr) throw AcmeProblem("badCSR", "csr is not a DER PKCS#10 request");
  recheck_stale_caa(load_owned("order", id, post));  // AcmeProblem caa: nothing is signed

  nlohmann::json order;
  std::vector<std::string> validated;
  XmppIdentities ids;
  // ready -> processing in one transaction: an order is finalized once, also when two
  // instances on one database get the same finalize. The certificate is counted against the
  // account's and its registered domains' rate limits in the same transaction (released when
  // signing fails).
  // Repeatable: lost with the database, the order is ready again and nothing was issued; the
  // certificate's own transaction below is durable, and so makes this one durable too.
  // Queued with every transaction that counts and adds rate events, on every instance.
  std::vector<long long> rate_events =
      storage_.queued_transaction(kRateEventsQueue, Commit::kRepeatable, [&] {
    order = load_owned("order", id, post);
    order_json(order);
    if (order["status"] != "ready")
      throw AcmeProblem("orderNotReady",
                        "order is " + order["status"].get<std::string>() + ", not ready", 403);
    validated = order["identifiers"].get<std::vector<std::string>>();
    ids = approve_csr(csr.get(), validated, post.key.get());
    if (options_.omit_xmpp_addr) ids.xmpp_addrs.clear();  // the federation's policy
    auto events = reserve_certificate(post.account->id, validated);
    order["status"] = "processing";
    order["processing_since"] = now();
    order["rate_events"] = events;  // released if the order is abandoned
    storage_.put_document("order", id, post.account->id, order);
    return events;
  });

  SignedCertificate cert;
  try {
    cert = signer_.sign(X509_REQ_get0_pubkey(csr.get()), ids, options_.lifetime);
  } catch (...) {
    storage_.transaction([&] {
      auto current = storage_.document("order", id);
      if (!current || (*current)["status"] != "processing") return;  // given up meanwhile
      release_certificate(rate_events);
      order = *current;
      order["status"] = "invalid";
      order["error"] = AcmeProblem("serverInternal", "signing failed", 500).document();
      storage_.put_document("order", id, post.account->id, order);
    });
    throw;
  }
  order["status"] = "valid";
  order["certificate"] = cert.serial_hex;
  // One appender at a time: in this instance (the mutex) and across instances (the queue).
  std::unique_lock issuing(issue_mutex_);
  storage_.queued_transaction(kLogAppendQueue, Commit::kDurable, [&] {
    // Signing that outlasted abandoned_after() finds the order given up: nothing is issued.
    auto current = storage_.document("order", id);
    if (!current || (*current)["status"] != "processing")
      throw AcmeProblem("serverInternal", "order " + id + " was given up while it was signed", 500);
    storage_.insert_certificate(
        {cert.serial_hex, post.account->id, id, cert.leaf_pem, cert.not_after, 0, 0});
    storage_.put_document("order", id, post.account->id, order);
    log_.append_issued(cert.leaf_pem, cert.serial_hex);  // logged, or not issued at all
  });
  issuing.unlock();
  // No tree head signed here: the next get-sth signs one that holds this entry (and every
  // other committed meanwhile), off the issuance's path.
  metrics_.count_issued(std::chrono::steady_clock::now() - started);
  std::string names;
  for (const auto& name : validated) names += (names.empty() ? "" : ",") + name;
  log_line("xmppcert-ca", "audit: issued serial " + cert.serial_hex + " to account " +
                              std::to_string(post.account->id) + " for " + names + " (SRV-IDs " +
                              std::to_string(ids.srv_ids.size()) + ", XmppAddrs " +
                              std::to_string(ids.xmpp_addrs.size()) + ", not after " +
                              format_utc(cert.not_after) + ")");
  return json_response(200, order_json(order), url("/acme/order/" + id));
}

void AcmeService::give_up_abandoned_order(const std::string& id, nlohmann::json& order) {
  auto abandoned = [&](const nlohmann::json& doc) {
    return doc["status"] == "processing" &&
           now() - doc.value("processing_since", now()) >= abandoned_after();
  };
  if (!abandoned(order)) return;
  storage_.transaction([&] {
    auto current = storage_.document("order", id);
    if (!current || !abandoned(*current)) return;
    order = *current;
    order["status"] = "invalid";
    order["error"] = AcmeProblem("serverInternal",
                                 "the CA instance finalizing this order stopped before it issued; "
                                 "create a new order",
                                 500)
                         .document();
    if (order.contains("rate_events"))
      release_certificate(order["rate_events"].get<std::vector<long long>>());
    storage_.put_document("order", id, order["account"].get<long long>(), order);
  });
  log_line("xmppcert-ca", "order " + id + " abandoned while being finalized: now invalid");
}

WebResponse AcmeService::download(const VerifiedPost& post, const std::string& serial) {
  auto cert = storage_.certificate(serial);
  if (!cert) throw AcmeProblem("malformed", "no certificate " + serial, 404);
  if (cert->account != post.account->id)
    throw AcmeProblem("unauthorized", "this certificate belongs to another account", 403);
  WebResponse response;
  response.content_type = "application/pem-certificate-chain";
  response.body = cert->leaf_pem + ca_.chain;
  return response;
}

}  // namespace xmppcert::ca
