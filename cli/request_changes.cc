#include "cli/request_changes.h"

#include <algorithm>
#include <iostream>

#include "engine/clock.h"
#include "engine/errors.h"

namespace xmppcert::cli {
namespace {

std::vector<std::string> minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& item : a)
    if (std::find(b.begin(), b.end(), item) == b.end()) out.push_back(item);
  return out;
}

std::string install_name(const CertificateRequest& request) {
  return request.install ? request.install->plugin : "none";
}

}  // namespace

RequestChanges compare_requests(const CertificateRequest& stored,
                                const CertificateRequest& wanted) {
  RequestChanges changes;
  const auto had = identities_of(stored).dns_ids;
  const auto want = identities_of(wanted).dns_ids;
  changes.added_names = minus(want, had);
  changes.dropped_names = minus(had, want);
  auto differs = [&](const std::string& what, const std::string& from, const std::string& to) {
    if (from != to) changes.others.push_back(what + " " + from + " -> " + to);
  };
  differs("issuer", stored.issuer, wanted.issuer);
  differs("key type", key_type_name(stored.key_type), key_type_name(wanted.key_type));
  differs("validity", format_duration(stored.validity), format_duration(wanted.validity));
  differs("reuse_key", stored.reuse_key ? "true" : "false", wanted.reuse_key ? "true" : "false");
  differs("xmpp_addr", stored.xmpp_addr ? "true" : "false", wanted.xmpp_addr ? "true" : "false");
  if (stored.install != wanted.install)
    changes.others.push_back(install_name(stored) == install_name(wanted)
                                 ? "install settings of " + install_name(wanted)
                                 : "install " + install_name(stored) + " -> " +
                                       install_name(wanted));
  if (stored.issuer_settings != wanted.issuer_settings && stored.issuer == wanted.issuer)
    changes.others.push_back("issuer settings of " + wanted.issuer);
  return changes;
}

std::string describe(const RequestChanges& changes) {
  std::string out;
  auto add = [&](const std::string& item) { out += (out.empty() ? "" : ", ") + item; };
  for (const auto& name : changes.added_names) add("+" + name);
  for (const auto& name : changes.dropped_names) add("-" + name);
  for (const auto& other : changes.others) add(other);
  return out;
}

void review_request_changes(const Store& store, const std::vector<ReviewedRequest>& requests,
                            bool replace_request) {
  for (const auto& [request, names_follow_server] : requests) {
    std::optional<CertificateRecord> record = store.load(request.name);
    if (!record) continue;
    RequestChanges changes = compare_requests(record->request, request);
    if (changes.empty()) continue;
    if (!changes.dropped_names.empty() && !replace_request && !names_follow_server) {
      std::string names;
      for (const auto& name : changes.dropped_names) names += (names.empty() ? "" : ", ") + name;
      throw UsageError("enroll: " + request.name + ": would drop " + names +
                       " from the stored certificate; name them again (--component), or "
                       "--replace-request to drop them");
    }
    std::cout << request.name << ": changes to the stored request: " << describe(changes) << "\n";
  }
}

}  // namespace xmppcert::cli
