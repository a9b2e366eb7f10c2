#include "engine/identity.h"

#include <gtest/gtest.h>

#include "engine/errors.h"

namespace xmppcert {
namespace {

TEST(Identity, ServedDomainGetsDnsIdBothSrvIdsAndXmppAddr) {
  auto ids = identities_for({parse_domain("example.org")}, {});
  EXPECT_EQ(ids.dns_ids, std::vector<std::string>{"example.org"});
  EXPECT_EQ(ids.srv_ids,
            (std::vector<std::string>{"_xmpp-client.example.org", "_xmpp-server.example.org"}));
  EXPECT_EQ(ids.xmpp_addrs, std::vector<std::string>{"example.org"});
}

TEST(Identity, ComponentGetsDnsIdServerSrvIdAndXmppAddrOnly) {
  auto domain = parse_domain("example.org");
  auto ids = identities_for({domain}, {resolve_component("conference", domain)});
  EXPECT_EQ(ids.dns_ids, (std::vector<std::string>{"example.org", "conference.example.org"}));
  EXPECT_EQ(ids.srv_ids,
            (std::vector<std::string>{"_xmpp-client.example.org", "_xmpp-server.example.org",
                                      "_xmpp-server.conference.example.org"}));
  EXPECT_EQ(ids.xmpp_addrs, (std::vector<std::string>{"example.org", "conference.example.org"}));
}

TEST(Identity, ComponentWithDotsIsTakenAsAFullName) {
  auto domain = parse_domain("example.org");
  EXPECT_EQ(resolve_component("muc.other.net", domain).ascii, "muc.other.net");
}

TEST(Identity, InternationalisedDomainUsesALabelsForDnsAndSrvAndULabelsForXmppAddr) {
  auto domain = parse_domain("bücher.example");
  EXPECT_EQ(domain.ascii, "xn--bcher-kva.example");
  EXPECT_EQ(domain.unicode, "bücher.example");
  auto ids = identities_for({domain}, {resolve_component("chat", domain)});
  EXPECT_EQ(ids.dns_ids[0], "xn--bcher-kva.example");
  EXPECT_EQ(ids.srv_ids[0], "_xmpp-client.xn--bcher-kva.example");
  EXPECT_EQ(ids.xmpp_addrs[0], "bücher.example");
  EXPECT_EQ(ids.xmpp_addrs[1], "chat.bücher.example");
}

TEST(Identity, ALabelInputIsConvertedToULabelsForXmppAddr) {
  auto domain = parse_domain("xn--bcher-kva.example");
  EXPECT_EQ(domain.unicode, "bücher.example");
}

TEST(Identity, UpperCaseAndTrailingDotAreNormalised) {
  EXPECT_EQ(parse_domain("Example.ORG.").ascii, "example.org");
}

void expect_rejected(const std::string& domain, const std::string& fragment) {
  try {
    parse_domain(domain);
    FAIL() << domain << " was accepted";
  } catch (const UsageError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("\"" + domain + "\""), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

TEST(Identity, MalformedDomainsAreRejectedNamingTheDomainAndTheRule) {
  expect_rejected("", "empty");
  expect_rejected("example..org", "label");
  expect_rejected("-bad.example.org", "hyphen");
  expect_rejected("bad_name.example.org", "'_'");
  expect_rejected(std::string(64, 'a') + ".example.org", "63");
  expect_rejected("localhost", "two labels");
  expect_rejected("192.168.0.1", "IP address");
  expect_rejected("*.example.org", "wildcard");
  expect_rejected("a.*.example.org", "'*'");
}

TEST(Identity, TooLongDomainIsRejected) {
  std::string label(60, 'a');
  expect_rejected(label + "." + label + "." + label + "." + label + "." + label + ".example",
                  "253");
}

TEST(Identity, WildcardIsAcceptedOnlyWhenAsked) {
  EXPECT_EQ(parse_domain("*.example.org", true).ascii, "*.example.org");
}

TEST(Identity, MissingIdentitiesAreListedByKind) {
  auto requested = identities_for({parse_domain("example.org")}, {});
  XmppIdentities present{{"example.org"}, {}, {}};
  EXPECT_EQ(missing_identities(requested, present),
            (std::vector<std::string>{"SRV:_xmpp-client.example.org",
                                      "SRV:_xmpp-server.example.org", "XmppAddr:example.org"}));
}

}  // namespace
TEST(Identity, BareJidLowerCasesTheAsciiLocalpartAndKeepsUnicodeDomain) {
  EXPECT_EQ(parse_bare_jid("Alice@A.Example.Test"), "alice@a.example.test");
  EXPECT_EQ(parse_bare_jid("bob@xn--bcher-kva.example"), "bob@b\u00fccher.example");
}

TEST(Identity, BareJidRefusesResourcesEmptyLocalpartsAndForbiddenCharacters) {
  for (const char* bad : {"alice@a.example.test/phone", "@a.example.test", "a.example.test",
                          "al ice@a.example.test", "al:ice@a.example.test", "alice@nodot"}) {
    EXPECT_THROW(parse_bare_jid(bad), UsageError) << bad;
  }
  try {
    parse_bare_jid("a<b@a.example.test");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("invalid JID \"a<b@a.example.test\""), std::string::npos);
  }
}

}  // namespace xmppcert
