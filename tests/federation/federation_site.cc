#include "tests/federation/federation_site.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <utility>
#include <vector>

#include "engine/fs.h"
#include "engine/store.h"
#include "tests/integration/agent_fixture.h"  // eventually()

namespace xmppcert::testing {

int Site::version() const {
  auto record = StateDirStore(state()).load(domain);
  return record ? record->current_version : 0;
}

std::string Site::agent_log() const {
  return std::filesystem::exists(dir / "agent.log") ? read_file(dir / "agent.log") : "";
}

bool Site::agent_running() const { return agent > 0 && ::waitpid(agent, nullptr, WNOHANG) == 0; }

std::unique_ptr<XmppTestClient> client(const Site& site) {
  OnHost on(*site.host);
  return std::make_unique<XmppTestClient>("127.0.0.1", site.server->c2s_port(),
                                          XmppLogin{site.user + "@" + site.domain, site.password});
}

void messages_flow_both_ways(const Site& a, const Site& b, const std::string& tag) {
  auto from_a = client(a);
  auto from_b = client(b);
  from_b->send_chat(a.user + "@" + a.domain, "from-b-" + tag);
  EXPECT_TRUE(from_a->wait_for("from-b-" + tag, std::chrono::seconds(20)))
      << from_a->received() << a.server->log() << b.server->log();
  from_a->send_chat(b.user + "@" + b.domain, "from-a-" + tag);
  EXPECT_TRUE(from_b->wait_for("from-a-" + tag, std::chrono::seconds(20)))
      << from_b->received() << a.server->log() << b.server->log();
}

void authenticated_with_sasl_external(const Site& prosody_site, const Site& ejabberd_site,
                                      size_t times) {
  const std::string& p = prosody_site.domain;
  const std::string& e = ejabberd_site.domain;
  const XmppServer* prosody = prosody_site.server;
  const XmppServer* ejabberd = ejabberd_site.server;
  const std::vector<std::pair<const XmppServer*, std::string>> proofs = {
      {prosody, "SASL EXTERNAL with " + e + " succeeded"},
      {ejabberd, "Accepted inbound s2s EXTERNAL authentication " + p + " -> " + e},
      {prosody, "Accepting SASL EXTERNAL identity from " + e},
      {ejabberd, "Accepted outbound s2s EXTERNAL authentication " + e + " -> " + p}};
  for (const auto& [server, line] : proofs)
    EXPECT_TRUE(eventually([&] { return occurrences(server->log(), line) >= times; },
                           std::chrono::seconds(10)))
        << line << " " << times << " times\n"
        << server->log();
  EXPECT_EQ(prosody->log().find("dialback"), std::string::npos);
  EXPECT_EQ(ejabberd->log().find("dialback"), std::string::npos);
}

void new_links_federate(const Site& prosody_site, const Site& ejabberd_site,
                        const EjabberdServer& ejabberd, const std::string& tag, size_t times) {
  {
    OnHost on(*ejabberd_site.host);
    ProcessResult r = run_process(ejabberd.ctl({"stop_s2s_connections"}));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  messages_flow_both_ways(prosody_site, ejabberd_site, tag);
  authenticated_with_sasl_external(prosody_site, ejabberd_site, times);
}

}  // namespace xmppcert::testing
