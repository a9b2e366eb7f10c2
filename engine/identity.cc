#include "engine/identity.h"

#include <idn2.h>

#include <algorithm>
#include <cctype>

#include "engine/errors.h"

namespace xmppcert {
namespace {

[[noreturn]] void reject(std::string_view input, std::string_view why) {
  throw UsageError("invalid domain \"" + std::string(input) + "\": " + std::string(why));
}

std::vector<std::string_view> split_labels(std::string_view name) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  for (;;) {
    size_t dot = name.find('.', start);
    labels.push_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return labels;
    start = dot + 1;
  }
}

void check_ascii_rules(std::string_view input, std::string_view ascii) {
  if (ascii.size() > 253) reject(input, "longer than 253 characters");
  auto labels = split_labels(ascii);
  if (labels.size() < 2) reject(input, "needs at least two labels (e.g. example.org)");
  for (auto label : labels) {
    if (label.empty()) reject(input, "empty label");
    if (label.size() > 63)
      reject(input, "label \"" + std::string(label) + "\" is longer than 63 characters");
    if (label.front() == '-' || label.back() == '-')
      reject(input, "label \"" + std::string(label) + "\" starts or ends with a hyphen");
    for (char c : label) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-'))
        reject(input, "label \"" + std::string(label) + "\" has character '" + std::string(1, c) +
                          "' (letters, digits and hyphens only)");
    }
  }
  const auto& tld = labels.back();
  if (std::all_of(tld.begin(), tld.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    reject(input, "looks like an IP address, not a domain");
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

}  // namespace

DomainName parse_domain(std::string_view input, bool allow_wildcard) {
  std::string name(input);
  if (name.empty()) reject(input, "empty");
  if (name.back() == '.') name.pop_back();  // a fully qualified trailing dot is fine
  std::string prefix;
  if (name.rfind("*.", 0) == 0) {
    if (!allow_wildcard) reject(input, "wildcards are not allowed here");
    prefix = "*.";
    name.erase(0, 2);
  }
  if (name.find('*') != std::string::npos)
    reject(input, "'*' is only allowed as the whole first label");

  bool all_ascii = std::all_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x80; });
  if (all_ascii && name.size() > 253) reject(input, "longer than 253 characters");
  char* ascii_raw = nullptr;
  int rc = idn2_to_ascii_8z(name.c_str(), &ascii_raw, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc != IDN2_OK)
    reject(input, std::string("not a valid IDNA2008 name (") + idn2_strerror(rc) + ")");
  std::string ascii(ascii_raw);
  idn2_free(ascii_raw);
  std::transform(ascii.begin(), ascii.end(), ascii.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  check_ascii_rules(input, ascii);

  char* unicode_raw = nullptr;
  rc = idn2_to_unicode_8z8z(ascii.c_str(), &unicode_raw, 0);
  if (rc != IDN2_OK)
    reject(input, std::string("cannot convert to U-labels (") + idn2_strerror(rc) + ")");
  std::string unicode(unicode_raw);
  idn2_free(unicode_raw);
  return DomainName{prefix + ascii, prefix + unicode};
}

std::string parse_bare_jid(std::string_view input) {
  auto fail = [&](std::string_view why) {
    throw UsageError("invalid JID \"" + std::string(input) + "\": " + std::string(why));
  };
  if (input.find('/') != std::string_view::npos)
    fail("a client certificate names a bare JID (user@domain), without a resource");
  size_t at = input.find('@');
  if (at == std::string_view::npos) fail("expected user@domain");
  std::string local(input.substr(0, at));
  if (local.empty()) fail("empty localpart");
  if (local.size() > 1023) fail("localpart longer than 1023 bytes");
  for (char& c : local) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || std::string_view("\"&'/:<>@").find(c) != std::string_view::npos)
      fail(std::string("the localpart may not contain '") + c + "'");
    if (u < 0x80) c = static_cast<char>(std::tolower(u));
  }
  DomainName domain = parse_domain(input.substr(at + 1));
  return local + "@" + domain.unicode;
}

DomainName resolve_component(std::string_view component, const DomainName& domain) {
  if (component.find('.') == std::string_view::npos)
    return parse_domain(std::string(component) + "." + domain.unicode);
  return parse_domain(component);
}

XmppIdentities identities_for(const std::vector<DomainName>& domains,
                              const std::vector<DomainName>& components) {
  XmppIdentities ids;
  for (const auto& d : domains) {
    add_unique(ids.dns_ids, d.ascii);
    add_unique(ids.srv_ids, "_xmpp-client." + d.ascii);
    add_unique(ids.srv_ids, "_xmpp-server." + d.ascii);
    add_unique(ids.xmpp_addrs, d.unicode);
  }
  for (const auto& c : components) {
    add_unique(ids.dns_ids, c.ascii);
    add_unique(ids.srv_ids, "_xmpp-server." + c.ascii);
    add_unique(ids.xmpp_addrs, c.unicode);
  }
  return ids;
}

std::vector<std::string> missing_identities(const XmppIdentities& requested,
                                            const XmppIdentities& present) {
  std::vector<std::string> missing;
  auto check = [&](const std::vector<std::string>& want, const std::vector<std::string>& have,
                   const char* tag) {
    for (const auto& name : want)
      if (std::find(have.begin(), have.end(), name) == have.end())
        missing.push_back(std::string(tag) + ":" + name);
  };
  check(requested.dns_ids, present.dns_ids, "DNS");
  check(requested.srv_ids, present.srv_ids, "SRV");
  check(requested.xmpp_addrs, present.xmpp_addrs, "XmppAddr");
  return missing;
}

}  // namespace xmppcert
