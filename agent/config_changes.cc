#include "agent/config_changes.h"

#include <map>

namespace xmppcert {
namespace {

std::string changed_fields(const CertificateRequest& a, const CertificateRequest& b) {
  std::string out;
  auto note = [&](bool differs, const char* field) {
    if (differs) out += (out.empty() ? "" : ", ") + std::string(field);
  };
  note(a.domains != b.domains, "domains");
  note(a.components != b.components, "components");
  note(a.issuer != b.issuer || a.issuer_settings != b.issuer_settings, "issuer");
  note(a.key_type != b.key_type, "key type");
  note(a.reuse_key != b.reuse_key, "reuse_key");
  note(a.xmpp_addr != b.xmpp_addr, "xmpp_addr");
  note(a.validity != b.validity, "validity");
  note(a.install != b.install, "install");
  return out;
}

}  // namespace

std::vector<std::string> describe_config_changes(const std::vector<CertificateRequest>& before,
                                                 const std::vector<CertificateRequest>& after) {
  std::map<std::string, const CertificateRequest*> old_by_name, new_by_name;
  for (const auto& request : before) old_by_name[request.name] = &request;
  for (const auto& request : after) new_by_name[request.name] = &request;
  std::vector<std::string> lines;
  for (const auto& [name, request] : new_by_name) {
    auto old = old_by_name.find(name);
    if (old == old_by_name.end()) {
      lines.push_back(name + ": added");
    } else if (std::string fields = changed_fields(*old->second, *request); !fields.empty()) {
      lines.push_back(name + ": " + fields + " changed");
    }
  }
  for (const auto& [name, request] : old_by_name)
    if (!new_by_name.count(name)) lines.push_back(name + ": removed, no longer managed");
  return lines;
}

}  // namespace xmppcert
