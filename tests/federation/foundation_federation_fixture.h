// The hosts of foundation_federation_test: three network namespaces on one virtual network
// (virtual_network.h). "ca" (192.0.2.1) runs xmppcert-ca and BIND for example.test; "a"
// (192.0.2.2) prosody serving a.example.test, "b" (192.0.2.3) ejabberd serving
// b.example.test, each enrolled from the CA by `xmppcert enroll --config` (http-01 on its port
// 80, the CA's root pinned and installed as trust anchor) and kept by an xmppcertd of its own.
// TearDown stops everything, on its host, and the network kills whatever is left there.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/ca/ca_fixture.h"
#include "tests/federation/federation_site.h"
#include "tests/federation/test_namespace.h"
#include "tests/federation/virtual_network.h"
#include "tests/integration/xmpp_servers.h"
#include "tests/integration/xmpp_test_client.h"

namespace xmppcert::testing {

// Every host's /etc/hosts (they share the test's mount namespace); DNS is BIND on "ca".
extern const NamespaceNames kFoundationFederationNames;

// The time of the first line of an agent's log holding `needle` (0: none).
std::time_t logged_at(const std::string& log, const std::string& needle);
// In the first line of an agent's log holding `line`, the time written after `marker` (0:
// none): "renewal window now START .. END: renewing at PICK".
std::time_t time_in_line(const std::string& log, const std::string& line,
                         const std::string& marker);

class FoundationFederation : public ::testing::Test {
 public:
  static std::string namespace_problem;  // "" once main() entered the test's namespaces

 protected:
  void SetUp() override;
  void TearDown() override;

  // `xmppcert enroll --config` on the site's host: the foundation issuer with the root pinned
  // and the CA's log watched.
  void enroll(Site& site, bool xmpp_addr);
  // `xmppcert check --s2s --json` of the site from the other host, trusting the CA's root.
  nlohmann::json served(const Site& site);
  // The trust anchor xmppcert installed into the site's server.
  std::string installed_trust_anchor(const Site& site) const;

  // Every agent watches the CA's transparency log for its names (issue 26): the log list
  // `xmppcert-ca log-list` printed, named in each site's "acme" settings, polled this often.
  static constexpr int kLogPollSeconds = 5;
  std::string log_list_file;

  std::unique_ptr<VirtualNetwork> network;
  VirtualHost* ca_host = nullptr;
  std::unique_ptr<FoundationCa> ca;
  std::unique_ptr<ProsodyServer> prosody;
  std::unique_ptr<EjabberdServer> ejabberd;
  std::chrono::steady_clock::time_point agents_started;
  Site a{"a.example.test", "bob", "secret-a"}, b{"b.example.test", "alice", "secret-b"};
};

}  // namespace xmppcert::testing
