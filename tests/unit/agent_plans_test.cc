// Issue 22 item 1: xmppcertd keeps the plans `plan_certificates` makes, as the CLI does: each
// server config parsed once per reload, and the same plan and the same decision as the CLI
// for the same config and store.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "agent/agent.h"
#include "engine/config.h"
#include "engine/log.h"
#include "plugins/registry.h"
#include "renewal/planning.h"
#include "renewal/renewal.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;
using testing::write_text;

class AgentPlansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_sink([](const std::string&) {});
    declare_issuer_settings_to_engine();
    write_text(dir_ / "prosody.cfg.lua",
               "VirtualHost \"a.example\"\nVirtualHost \"b.example\"\n"
               "Component \"conference.a.example\" \"muc\"\n");
    // Two certificates installed into one prosody: one install target.
    nlohmann::json install = {{"plugin", "prosody"},
                              {"config", (dir_ / "prosody.cfg.lua").string()},
                              {"cert_dir", (dir_ / "certs").string()},
                              {"reload", {"/bin/true"}},
                              {"verify", false}};
    nlohmann::json config = {{"state_dir", (dir_ / "state").string()},
                             {"certificates",
                              {{"a.example", {{"domains", {"a.example"}}, {"install", install}}},
                               {"c.example", {{"domains", {"c.example"}}, {"install", install}}}}}};
    write_text(dir_ / "xmppcert.json", config.dump(2));
    ::chmod((dir_ / "xmppcert.json").c_str(), 0600);
  }
  void TearDown() override { set_log_sink(nullptr); }

  // The registry's plugins, counted per server config.
  ServerPluginFactory counting_factory() {
    return [this](const InstallTarget& target, const std::string& where) {
      ++parses_[target.settings.value("config", std::string())];
      return make_server_plugin(target, where);
    };
  }
  AgentOptions agent_options() {
    AgentOptions options;
    options.config = dir_ / "xmppcert.json";
    options.state_dir = dir_ / "state";
    options.make_server = counting_factory();
    return options;
  }
  // What `xmppcert renew` (cli/renewal_run.cc) does before it decides: plan, then read the
  // records.
  std::vector<PlannedCertificate> cli_plans(const std::vector<CertificateRequest>& wanted) {
    PlanningOptions planning;
    planning.state_dir = dir_ / "state";
    planning.where = [](const std::string& name) { return "test " + name; };
    auto plans = plan_certificates(wanted, planning);
    load_records(plans, store_);
    return plans;
  }

  TempDir dir_;
  StateDirStore store_{dir_ / "state"};
  std::map<std::string, int> parses_;
};

TEST_F(AgentPlansTest, EachServerConfigIsParsedOncePerReload) {
  Agent agent(agent_options());
  const std::string prosody = (dir_ / "prosody.cfg.lua").string();
  agent.load();
  EXPECT_EQ(parses_, (std::map<std::string, int>{{prosody, 1}}));
  ASSERT_EQ(agent.certificates().size(), 2u);
  EXPECT_EQ(agent.certificates()[0].plan.server, agent.certificates()[1].plan.server)
      << "one plugin for one install target";
  agent.load();  // a reload, as on SIGHUP or a changed config
  EXPECT_EQ(parses_, (std::map<std::string, int>{{prosody, 2}}));
}

TEST_F(AgentPlansTest, TheCliAndTheAgentPlanAlikeAndDecideAlike) {
  // a.example issued (through the CLI's path); c.example not yet; d.example only in the store.
  Config config = load_config(dir_ / "xmppcert.json");
  CertificateRequest stored_only;
  stored_only.name = "d.example";
  stored_only.domains = {"d.example"};
  auto first = cli_plans({config.certificates[0], stored_only});
  ASSERT_TRUE(renew_each(
      store_, first, std::time(nullptr), false, [](auto&, auto&) {},
      [](const PlannedCertificate& plan, const std::string& error) {
        ADD_FAILURE() << plan.request.name << ": " << error;
      }));

  Agent agent(agent_options());
  agent.load();
  // `xmppcert renew`: the config's entries, and the stored requests of the others.
  auto cli = cli_plans({config.certificates[0], config.certificates[1], stored_only});
  ASSERT_EQ(agent.certificates().size(), cli.size());
  std::time_t now = std::time(nullptr);
  for (std::time_t when : {now, now + 80 * 86400}) {  // not due, then due
    for (std::size_t i = 0; i < cli.size(); ++i) {
      // The kept plan as the agent's turn (in its child) completes it: the record read under
      // the lock, the identities and the issuer made again.
      const PlannedCertificate& kept = agent.certificates()[i].plan;
      PlannedCertificate agent_plan;
      agent_plan.request = kept.request;
      agent_plan.where = kept.where;
      agent_plan.server = kept.server;
      agent_plan.state_dir = kept.state_dir;
      agent_plan.record = store_.load(agent_plan.request.name);
      complete_plan(agent_plan);
      SCOPED_TRACE(cli[i].request.name + " at " + std::to_string(when - now));
      EXPECT_EQ(agent_plan.request, cli[i].request);
      EXPECT_EQ(agent_plan.identities, cli[i].identities);
      EXPECT_EQ(agent_plan.server != nullptr, cli[i].server != nullptr);
      EXPECT_EQ(agent_plan.issuer->name(), cli[i].issuer->name());
      RenewalDecision by_agent = renewal_decision(agent_plan, when, false);
      RenewalDecision by_cli = renewal_decision(cli[i], when, false);
      EXPECT_EQ(by_agent.due, by_cli.due);
      EXPECT_EQ(by_agent.reason, by_cli.reason);
    }
  }
  EXPECT_EQ(agent.certificates()[0].plan.request.domains,
            (std::vector<std::string>{"a.example", "b.example"}))
      << "the names prosody serves, added by both";
  EXPECT_FALSE(renewal_decision(cli[0], now, false).due);
  EXPECT_TRUE(renewal_decision(cli[1], now, false).due) << "never issued";
}

}  // namespace
}  // namespace xmppcert
