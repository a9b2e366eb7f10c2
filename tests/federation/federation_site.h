// One XMPP host of a federation whose hosts are network namespaces (virtual_network.h): its
// server, its user, its xmppcert files; and the proofs that two such hosts federate (a chat
// message each way, SASL EXTERNAL in both servers' logs, never dialback). Shared by
// foundation_federation_fixture and closed_federation_walkthrough_test.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "tests/federation/virtual_network.h"
#include "tests/integration/xmpp_servers.h"
#include "tests/integration/xmpp_test_client.h"

namespace xmppcert::testing {

struct Site {
  std::string domain, user, password;
  VirtualHost* host = nullptr;
  XmppServer* server = nullptr;
  TempDir dir;
  pid_t agent = -1;

  std::string config() const { return (dir / "xmppcert.json").string(); }
  std::string state() const { return (dir / "state").string(); }
  // What the agent's "on_unexpected" hook was told (its XMPPCERT_* variables), appended.
  std::string on_unexpected_env() const { return (dir / "on_unexpected.env").string(); }
  std::string metrics() const { return (dir / "metrics.prom").string(); }  // the agent's
  int version() const;            // the current version in its store (0: none)
  std::string agent_log() const;  // "" until the agent's child opened it
  bool agent_running() const;
};

// A c2s session of the site's user, opened on its host.
std::unique_ptr<XmppTestClient> client(const Site& site);
// A chat message each way between the sites' users, from fresh c2s sessions.
void messages_flow_both_ways(const Site& a, const Site& b, const std::string& tag);
// Waits until prosody (serving `prosody_site`) and ejabberd (serving `ejabberd_site`) each
// logged SASL EXTERNAL both ways `times` times in all; neither logged dialback.
void authenticated_with_sasl_external(const Site& prosody_site, const Site& ejabberd_site,
                                      size_t times);
// After a renewal: ejabberd (serving `ejabberd_site`) closes its s2s links, then messages flow
// both ways over new ones, authenticated with SASL EXTERNAL (`times` times in all by then).
void new_links_federate(const Site& prosody_site, const Site& ejabberd_site,
                        const EjabberdServer& ejabberd, const std::string& tag, size_t times);

}  // namespace xmppcert::testing
