// XMPP identities a server certificate carries (RFC 6120 §13.7.1, RFC 7712 for SRV-IDs):
//   a served domain D:   DNS-ID D, SRV-IDs _xmpp-client.D and _xmpp-server.D, XmppAddr D;
//   a component C:       DNS-ID C, SRV-ID _xmpp-server.C, XmppAddr C (no clients connect).
// DNS-IDs and SRV-IDs are in A-labels, XmppAddrs in U-labels (RFC 6120 §13.7.1.4).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xmppcert {

struct DomainName {
  std::string ascii;    // A-labels, lower case: what DNS-ID and SRV-ID carry
  std::string unicode;  // U-labels: what XmppAddr carries
  bool operator==(const DomainName&) const = default;
};

// Validates and normalises a domain (IDNA2008 through libidn2). Throws UsageError naming the
// domain and the rule it breaks. A leading "*." is accepted only with allow_wildcard.
DomainName parse_domain(std::string_view input, bool allow_wildcard = false);

// A bare JID "localpart@domain" (RFC 7622) for a client certificate's XmppAddr: the domain
// through parse_domain (U-labels kept), the localpart non-empty, at most 1023 bytes, ASCII
// letters lower-cased, without the characters RFC 7622 forbids (" & ' / : < > @, spaces,
// controls). A resource ("/...") is refused: certificates name accounts, not sessions.
// Throws UsageError naming the JID and the rule it breaks.
std::string parse_bare_jid(std::string_view input);

// A component given as a bare label ("conference") is a subdomain of the served domain.
DomainName resolve_component(std::string_view component, const DomainName& domain);

struct XmppIdentities {
  std::vector<std::string> dns_ids;     // A-labels
  std::vector<std::string> srv_ids;     // "_xmpp-client.example.org", A-labels
  std::vector<std::string> xmpp_addrs;  // U-labels
  bool operator==(const XmppIdentities&) const = default;
};

XmppIdentities identities_for(const std::vector<DomainName>& domains,
                              const std::vector<DomainName>& components);

// What `requested` holds that `present` lacks, as "DNS:x", "SRV:y", "XmppAddr:z".
std::vector<std::string> missing_identities(const XmppIdentities& requested,
                                            const XmppIdentities& present);

}  // namespace xmppcert
