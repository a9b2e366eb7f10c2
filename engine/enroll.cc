#include "engine/enroll.h"

#include <openssl/err.h>

#include <algorithm>

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/csr.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/issued_not_installed.h"
#include "engine/keys.h"
#include "engine/log.h"
#include "engine/renewal_decision.h"
#include "engine/san.h"
#include "engine/served_check.h"

namespace xmppcert {
namespace {

PKeyPtr key_for(const Store& store, const CertificateRequest& request,
                const std::optional<CertificateRecord>& previous) {
  if (request.reuse_key && previous && previous->current_version > 0) {
    auto path = store.version(request.name, previous->current_version).key_path();
    PKeyPtr key = load_private_key(read_file(path), path.string());
    if (key_type_of(key.get()) == request.key_type) return key;
    log_line(request.name, "key type changed to " + key_type_name(request.key_type) +
                               ": new key despite reuse_key");
  }
  return generate_private_key(request.key_type);
}

// The leaf must be for our key and carry every DNS-ID; otherName SANs and clientAuth are
// commonly dropped by public CAs, which is reported, not fatal.
std::vector<std::string> check_issued(const CertificateRequest& request,
                                      const XmppIdentities& wanted, X509* leaf, EVP_PKEY* key,
                                      const std::string& issuer) {
  if (!certificate_matches_key(leaf, key))
    throw_operation_error("check certificate from issuer", issuer, "its public key is not ours");
  auto missing = missing_identities(wanted, identities_in_certificate(leaf));
  for (const auto& id : missing)
    if (id.rfind("DNS:", 0) == 0)
      throw_operation_error("check certificate from issuer", issuer, "it does not cover " + id);
  if (!missing.empty()) {
    std::string list;
    for (const auto& id : missing) list += (list.empty() ? "" : ", ") + id;
    log_warning(request.name, "issuer " + issuer + " dropped requested identities: " + list);
  }
  return missing;
}

// Each certificate must be signed by the next one in the chain the issuer sent, and the top
// one by the root the issuer named (the trust anchor the servers will get), if it named one.
void check_chain_links(X509* leaf, const IssuedCertificate& issued, const std::string& issuer) {
  std::vector<X509Ptr> chain;
  if (issued.chain_pem.find("-----BEGIN") != std::string::npos)
    chain = parse_certificate_chain(issued.chain_pem, "chain from issuer " + issuer);
  X509Ptr root;
  if (!issued.root_pem.empty())
    root = parse_certificate(issued.root_pem, "root of issuer " + issuer);
  X509* child = leaf;
  auto require_signed_by = [&](X509* parent, const char* what) {
    if (X509_verify(child, X509_get0_pubkey(parent)) != 1) {
      ERR_clear_error();
      throw_operation_error("check chain from issuer", issuer, what);
    }
  };
  for (const auto& parent : chain) {
    require_signed_by(parent.get(), "a certificate is not signed by the next one in the chain");
    child = parent.get();
  }
  if (root && X509_cmp(child, root.get()) != 0)
    require_signed_by(root.get(), "the chain does not lead to the issuer's root");
}

// Reloads the server and, unless its config does not use the files yet (then says what to
// add), checks that it really serves `version` on every probe target.
void reload_and_verify(const std::string& certificate, const StoredVersion& version,
                       const std::string& primary_domain, ServerPlugin& plugin) {
  plugin.reload();
  std::vector<std::string> missing = plugin.missing_config(version);
  if (!missing.empty()) {
    log_warning(certificate, plugin.name() +
                                 " does not use the installed files yet; not verified. Add to its "
                                 "config:");
    for (const auto& line : missing) log_warning(certificate, "  " + line);
    return;
  }
  auto targets = plugin.probe_targets(primary_domain);
  if (targets.empty()) return;
  std::string ports;
  for (const auto& target : targets) ports += (ports.empty() ? "" : ", ") + describe_target(target);
  log_line(certificate,
           "verifying that v" + std::to_string(version.number) + " is served: " + ports);
  X509Ptr cert = parse_certificate(read_file(version.cert_path()), version.cert_path().string());
  verify_served(targets, sha256_fingerprint(cert.get()), plugin.verify_wait());
  log_line(certificate, "v" + std::to_string(version.number) + " is served on " +
                            std::to_string(targets.size()) + " port(s)");
}

// Puts the previous version back: the plugin's own copy of the replaced files when it kept
// one, else the stored previous version installed again.
void restore_previous(const Store& store, const CertificateRecord& previous,
                      const std::string& primary_domain, ServerPlugin& plugin,
                      std::string& failure) {
  const StoredVersion version = store.version(previous.name, previous.current_version);
  try {
    if (!plugin.rollback()) plugin.install(version);
    reload_and_verify(previous.name, version, primary_domain, plugin);
    failure += "; previous certificate v" + std::to_string(previous.current_version) +
               " restored and served";
  } catch (const std::exception& e) {
    failure += "; restoring previous certificate failed too: " + std::string(e.what());
  }
}

// An OperationError keeps its message; any other exception (a JSON or filesystem error no
// plugin boundary wrapped) becomes the failure of `operation` on `object`.
std::string failure_text(const std::exception& e, const std::string& operation,
                         const std::string& object) {
  if (dynamic_cast<const OperationError*>(&e)) return e.what();
  return describe_failure(operation, object, e.what());
}

}  // namespace

CertificateRecord enroll_certificate(const Store& store, const CertificateRequest& request,
                                     Issuer& issuer, ServerPlugin* plugin, std::time_t now,
                                     EVP_PKEY* chosen_key) {
  validate_certificate_name(request.name);
  const XmppIdentities wanted = identities_of(request);
  const std::optional<CertificateRecord> previous = store.load(request.name);
  return enroll_certificate(store, {request, wanted, previous, chosen_key}, issuer, plugin, now);
}

CertificateRecord enroll_certificate(const Store& store, const Enrollment& enrollment,
                                     Issuer& issuer, ServerPlugin* plugin, std::time_t now) {
  const CertificateRequest& request = enrollment.request;
  const XmppIdentities& wanted = enrollment.identities;
  const std::optional<CertificateRecord>& previous = enrollment.previous;
  validate_certificate_name(request.name);
  CertificateRecord record = previous.value_or(CertificateRecord{});
  if (!previous) record.name = request.name;

  auto record_failure = [&](const std::string& message,
                            std::optional<IssuedNotInstalled> not_installed = std::nullopt) {
    CertificateRecord failed = previous.value_or(record);
    failed.last_attempt = Attempt{now, false, message};
    failed.consecutive_failures += 1;
    failed.pending_names = wanted.dns_ids;
    if (!previous) failed.request = request;
    if (not_installed) failed.issued_not_installed = std::move(not_installed);
    store.save(failed);
    // The version written for this attempt stays on disk; without pruning, a server whose
    // reload keeps failing would fill the state dir with one folder per attempt.
    store.prune(failed, kVersionsKept);
  };

  // A stopped server would fail the reload after the CA issued: nothing is ordered then.
  if (plugin)
    for (const auto& check : plugin->running_checks())
      if (!check.ok()) {
        std::string failure = "not ordered: " + check.what + ": " + check.failure;
        record_failure(failure);
        throw OperationError(failure);
      }

  StoredVersion version;
  CertificateInfo info;
  std::vector<std::string> dropped;
  std::time_t renew_after = 0;
  long renewal_info_retry_after = 0;
  std::optional<ReusableVersion> reused;
  if (previous)
    reused = reusable_issued_version(store, *previous, request, wanted, enrollment.key, now);
  if (reused) {
    version = reused->version;
    info = inspect_certificate(reused->leaf.get());
    dropped = missing_identities(wanted, info.identities);
    renew_after = reused->issued.renew_after;
    renewal_info_retry_after = reused->issued.renewal_info_retry_after;
    log_line(request.name, "not ordering: v" + std::to_string(version.number) + " (serial " +
                               info.serial_hex + "), issued " + format_utc(info.not_before) +
                               " but not installed, is installed instead");
  } else {
    try {
      PKeyPtr key;
      if (enrollment.key && EVP_PKEY_up_ref(enrollment.key) == 1)
        key.reset(enrollment.key);
      else
        key = key_for(store, request, previous);
      X509ReqPtr csr = build_csr(key.get(), wanted);
      X509Ptr replaced;
      if (previous && previous->current_version > 0) {
        auto path = store.version(request.name, previous->current_version).cert_path();
        replaced = parse_certificate(read_file(path), path.string());
      }
      IssuedCertificate issued =
          issuer.issue({request.name, wanted, csr.get(), request.validity, replaced.get()});
      renew_after = issued.renew_after;
      renewal_info_retry_after = issued.renewal_info_retry_after;
      X509Ptr leaf = parse_certificate(issued.cert_pem, "certificate from issuer " + issuer.name());
      dropped = check_issued(request, wanted, leaf.get(), key.get(), issuer.name());
      check_chain_links(leaf.get(), issued, issuer.name());
      info = inspect_certificate(leaf.get());
      if (!info.client_auth)
        log_warning(
            request.name,
            "warning: certificate lacks the clientAuth EKU; s2s certificate authentication to "
            "strict peers will fail");
      version = store.write_version(
          request.name,
          {private_key_pem(key.get()), issued.cert_pem, issued.chain_pem, issued.root_pem},
          previous ? previous->current_version : 0);
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      std::string failure =
          failure_text(e, "issue " + request.name + " with issuer", issuer.name());
      record_failure(failure);
      throw OperationError(failure);
    }
  }

  if (plugin) {
    try {
      log_line(request.name,
               "installing v" + std::to_string(version.number) + " with " + plugin->name());
      plugin->install(version);
      reload_and_verify(request.name, version, wanted.dns_ids.front(), *plugin);
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      std::string failure = "install v" + std::to_string(version.number) + " with " +
                            plugin->name() + ": " + e.what();
      if (previous && previous->current_version > 0)
        restore_previous(store, *previous, wanted.dns_ids.front(), *plugin, failure);
      failure += "; v" + std::to_string(version.number) + " is kept and installed at the next try";
      record_failure(failure,
                     IssuedNotInstalled{version.number, request.issuer, request.issuer_settings,
                                        renew_after, renewal_info_retry_after});
      throw OperationError(failure);
    }
  }

  record.request = request;
  record.current_version = version.number;
  record.certificate = info;
  record.dropped_identities = dropped;
  record.next_renewal = renew_after
                            ? renew_after
                            : renewal_time(info.not_before, info.not_after) +
                                  renewal_jitter(request.name, info.not_before, info.not_after);
  record.renewal_info_retry_after = renewal_info_retry_after;
  record.issued_not_installed.reset();
  // The previous certificate's renewal window says nothing about this one: asked anew.
  record.renewal_window_start = record.renewal_window_end = record.next_renewal_info_poll = 0;
  record.left_out.clear();  // the caller names them when it left some out
  record.left_out_why.clear();
  record.pending_names.clear();
  record.last_attempt = Attempt{
      now, true, "issued serial " + info.serial_hex + " as v" + std::to_string(version.number)};
  record.last_success = now;
  record.consecutive_failures = 0;
  record.revoked = false;
  crash_point("enroll:before-record");
  store.save(record);
  store.prune(record, kVersionsKept);
  return record;
}

CertificateRecord install_current_version(const Store& store, CertificateRecord record,
                                          const CertificateRequest& request, ServerPlugin& plugin,
                                          std::time_t now) {
  const StoredVersion version = store.version(record.name, record.current_version);
  const std::string primary_domain = identities_of(request).dns_ids.front();
  const std::string what = "install v" + std::to_string(version.number) + " with " + plugin.name();
  try {
    plugin.install(version);
    reload_and_verify(record.name, version, primary_domain, plugin);
  } catch (const OperationError& e) {
    std::string failure = what + ": " + e.what();
    try {
      if (plugin.rollback()) {
        plugin.reload();
        failure += "; the replaced files were put back";
      }
    } catch (const std::exception& restore) {
      failure += "; putting back the replaced files failed too: " + std::string(restore.what());
    }
    record.last_attempt = Attempt{now, false, failure};
    record.consecutive_failures += 1;
    record.pending_names = identities_of(request).dns_ids;
    store.save(record);
    throw OperationError(failure);
  }
  log_line(record.name, "installed v" + std::to_string(version.number) + " with " + plugin.name());
  record.request = request;
  record.pending_names.clear();
  record.last_attempt =
      Attempt{now, true, "installed v" + std::to_string(version.number) + " with " + plugin.name()};
  record.consecutive_failures = 0;
  store.save(record);
  return record;
}

}  // namespace xmppcert
