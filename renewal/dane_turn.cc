#include "renewal/dane_turn.h"

#include <unistd.h>

#include <algorithm>

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/dane.h"
#include "engine/dane_plan.h"
#include "engine/dane_rollover.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/next_key.h"
#include "engine/posh.h"
#include "engine/tlsa_dns.h"

namespace xmppcert {
namespace {

void record_dane_failure(const Store& store, CertificateRecord& record, const std::string& message,
                         std::time_t now) {
  record.last_attempt = Attempt{now, false, message};
  record.consecutive_failures += 1;
  store.save(record);
}

// The newest earlier version whose key is the retired one (failed attempts leave versions
// in between), while its TLSA record is still published; null otherwise.
X509Ptr retired_certificate(const Store& store, const CertificateRecord& record) {
  if (!record.dane || record.dane->retired.empty()) return nullptr;
  for (int version = record.current_version - 1; version > 0; --version) {
    auto path = store.version(record.name, version).cert_path();
    if (::access(path.c_str(), F_OK) != 0) continue;
    X509Ptr cert = parse_certificate(read_file(path), path.string());
    if (spki_sha256_hex(cert.get()) == record.dane->retired) return cert;
  }
  return nullptr;
}

}  // namespace

void step_dane(const Store& store, CertificateRecord& record, const CertificateRequest& request,
               std::time_t now) {
  const DaneSettings& settings = *request.dane;
  DaneState state = record.dane.value_or(DaneState{});
  try {
    state.current = spki_sha256_hex(current_key(store, record).get());
    PKeyPtr next = ensure_next_key(store, record.name, request.key_type, state.current);
    std::string next_hash = spki_sha256_hex(next.get());
    if (state.next != next_hash) {
      state.next = next_hash;
      state.next_visible_since = 0;
      state.last_query = 0;
    }
    auto publisher = make_tlsa_publisher(settings, record.name);
    DigTlsaResolver resolver(settings);
    std::vector<std::string> names = identities_of(request).dns_ids;
    for (const auto& target : settings.srv_targets)
      if (std::find(names.begin(), names.end(), target) == names.end()) names.push_back(target);
    TlsaRollover rollover{record.name, tlsa_owners(names, settings.ports), settings.ttl, *publisher,
                          resolver};
    bool had_visible = state.next_visible_since != 0;
    sync_tlsa(state, rollover, now);
    if (!had_visible && state.next_visible_since)
      log_line(record.name, "the next key's TLSA record is visible in DNS");
  } catch (const OperationError& e) {
    record.dane = state;
    record_dane_failure(store, record, std::string("DANE: ") + e.what(), now);
    throw OperationError(std::string("DANE: ") + e.what());
  }
  record.dane = state;
  // A DANE failure recorded earlier is over once a step goes through.
  if (record.last_attempt && !record.last_attempt->ok &&
      record.last_attempt->message.rfind("DANE: ", 0) == 0) {
    record.last_attempt = Attempt{now, true, "DANE: TLSA records up to date"};
    record.consecutive_failures = 0;
  }
  store.save(record);
}

void after_issue_dane(const Store& store, CertificateRecord& record,
                      const CertificateRequest& request, bool switched, std::time_t now) {
  DaneState state = record.dane.value_or(DaneState{});
  std::string served = spki_sha256_hex(current_key(store, record).get());
  if (switched) {
    PKeyPtr new_next = replace_next_key(store, record.name, request.key_type);
    switch_to_next_key(state, spki_sha256_hex(new_next.get()), request.dane->ttl, now);
    log_line(record.name, "switched to the next key; the previous key's TLSA record goes at " +
                              format_utc(state.retire_at));
  } else if (!state.current.empty() && state.current != served) {
    state.retired = state.current;  // still in DNS for peers that cached it
    state.retire_at = now + 2 * request.dane->ttl.count();
  }
  state.current = served;
  record.dane = state;
  store.save(record);
  step_dane(store, record, request, now);
}

PKeyPtr dane_key_for_renewal(const Store& store, CertificateRecord& record,
                             const CertificateRequest& request, std::time_t now, bool& switching,
                             std::string& waiting) {
  DaneKeyPlan plan = plan_dane_key(record, *request.dane, now);
  if (!record.dane) record.dane = DaneState{};
  record.dane->waiting = plan.choice == DaneKeyChoice::kNext ? "" : plan.reason;
  store.save(record);
  switching = plan.choice == DaneKeyChoice::kNext;
  if (plan.choice == DaneKeyChoice::kWait) {
    waiting = plan.reason;
    return nullptr;
  }
  log_line(record.name, plan.reason);
  if (!switching) return current_key(store, record);
  return stored_next_key(store, record.name);
}

void refresh_posh(const Store& store, const CertificateRecord& record, const PoshSettings& posh,
                  std::time_t now) {
  std::vector<X509Ptr> certs;
  auto path = store.version(record.name, record.current_version).cert_path();
  certs.push_back(parse_certificate(read_file(path), path.string()));
  if (X509Ptr previous = retired_certificate(store, record)) certs.push_back(std::move(previous));
  std::time_t left = record.certificate.not_after - now;
  if (left <= 0)
    throw_operation_error("write POSH documents in", posh.dir, "the certificate has expired");
  std::vector<X509*> pointers;
  for (const auto& cert : certs) pointers.push_back(cert.get());
  std::chrono::seconds expires = std::min(posh.expires, std::chrono::seconds(left));
  write_posh_documents(posh.dir, posh_document(pointers, expires));
  log_line(record.name, "POSH documents written to " + posh.dir);
}

bool posh_documents_missing(const PoshSettings& posh) {
  return ::access((std::filesystem::path(posh.dir) / "xmpp-server.json").c_str(), F_OK) != 0 ||
         ::access((std::filesystem::path(posh.dir) / "xmpp-client.json").c_str(), F_OK) != 0;
}

}  // namespace xmppcert
