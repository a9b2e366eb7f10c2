// The admin's first hour as one scripted run (issue 17, "Done when"): README command 1 (the
// local CA demo), then a preflight and an enroll from an ACME CA (pebble) into a prosody,
// `status`, and xmppcertd started briefly. The combined output, with times, serials, temp
// paths, ports and ACME ids masked, must equal tests/integration/golden/first_hour.txt: a
// change in what an admin reads shows up in review. XMPPCERT_UPDATE_GOLDEN=1 rewrites it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>

#include "engine/fs.h"
#include "tests/integration/agent_fixture.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/pebble_fixture.h"
#include "tests/integration/xmpp_servers.h"

namespace xmppcert::testing {
namespace {

const fs::path kGolden = fs::path(XMPPCERT_SOURCE_DIR) / "tests/integration/golden/first_hour.txt";

class FirstHour : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Pebble::available()) GTEST_SKIP() << "pebble is not installed";
    if (!ProsodyServer::available()) GTEST_SKIP() << "prosody is not installed";
  }

  // Runs `xmppcert ARGS` with stdout and stderr on one pipe, as a terminal shows them, and
  // adds the command and its output to the transcript.
  void run(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"sh", "-c", "exec \"$0\" \"$@\" 2>&1", XMPPCERT_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult r = run_process(argv);
    std::string line = "$ xmppcert";
    for (const auto& arg : args) line += " " + arg;
    transcript_ += line + "\n" + r.out + "[exit " + std::to_string(r.exit_code) + "]\n\n";
  }

  // Replaces what differs between runs by stable placeholders.
  std::string masked(std::string text) const {
    for (const auto& [from, to] : paths_)
      for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
        text.replace(at, from.size(), to);
    const std::pair<const char*, const char*> patterns[] = {
        {R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", "<TIME>"},
        {R"(serial [0-9A-Fa-f]+)", "serial <SERIAL>"},
        {R"((my-account|my-order|finalize-order|certZ|authZ|chalZ)/[A-Za-z0-9_-]+)", "$1/<ID>"},
        {R"((127\.0\.0\.1|localhost)([:_])\d+)", "$1$2<PORT>"},
        // The installed files' owner and group: the test user's when the tests run as root.
        {R"((\d{4}) [^ :()]+:[^ :()]+\))", "$1 <OWNER>:<GROUP>)"},
        {R"(\(after \d+ms\))", "(after <MS>)"},
    };
    for (const auto& [pattern, replacement] : patterns)
      text = std::regex_replace(text, std::regex(pattern), replacement);
    return text;
  }

  std::string transcript_;
  std::vector<std::pair<std::string, std::string>> paths_;
};

TEST_F(FirstHour, TheScriptedFirstHourReadsAsTheGoldenTranscript) {
  TempDir home;
  Pebble pebble;
  ProsodyServer prosody("example.test");
  paths_ = {{pebble.dir().path().string(), "<PEBBLE>"},
            {prosody.dir().string(), "<PROSODY>"},
            {home.path().string(), "<HOME>"},
            {XMPPCERT_BINARY, "xmppcert"}};

  // README command 1: the demo certificate from the embedded local CA.
  const std::string demo = (home / "demo-state").string();
  run({"enroll", "example.test", "--component", "conference", "--state-dir", demo});
  run({"status", "--state-dir", demo});

  // The real thing: ACME (pebble) into prosody, from a config file.
  nlohmann::json acme = {{"directory", pebble.directory_url()},
                         {"trust", pebble.trust_file()},
                         {"agree_tos", true},
                         {"email", "admin@example.test"},
                         {"http01_address", "127.0.0.1"},
                         {"http01_port", pebble.http01_port()}};
  nlohmann::json config = {
      {"state_dir", (home / "state").string()},
      {"certificates",
       {{"example.test",
         {{"issuer", "acme"}, {"acme", acme}, {"install", prosody.install_settings()}}}}}};
  const std::string config_file = (home / "xmppcert.json").string();
  write_text(config_file, config.dump(2));
  run({"enroll", "--config", config_file, "--dry-run"});
  run({"enroll", "--config", config_file});
  run({"status", "--config", config_file});

  // xmppcertd, briefly: its start-up lines, then SIGTERM.
  const fs::path agent_log = home / "agent.log";
  write_text(agent_log, "");  // before the agent runs: polled below
  pid_t agent = ::fork();
  if (agent == 0) {
    FILE* log = std::fopen(agent_log.c_str(), "w");
    if (log) {
      ::dup2(fileno(log), 1);
      ::dup2(fileno(log), 2);
    }
    ::execl(XMPPCERTD_BINARY, "xmppcertd", "--config", config_file.c_str(), nullptr);
    ::_exit(127);
  }
  bool started = eventually(
      [&] { return read_file(agent_log).find("next action") != std::string::npos; }, seconds(20));
  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  EXPECT_TRUE(started) << read_file(agent_log);
  transcript_ += "$ xmppcertd --config " + config_file + "   (stopped with SIGTERM)\n" +
                 read_file(agent_log) + "[exit " +
                 std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "]\n";

  const std::string got = masked(transcript_);
  if (const char* update = std::getenv("XMPPCERT_UPDATE_GOLDEN"); update && *update == '1') {
    write_text(kGolden, got);
    GTEST_SKIP() << "rewrote " << kGolden;
  }
  std::string golden = fs::exists(kGolden) ? read_file(kGolden) : "";
  EXPECT_EQ(got, golden) << "the transcript changed; if the new one reads right, rerun with "
                            "XMPPCERT_UPDATE_GOLDEN=1 and commit "
                         << kGolden.string();
}

}  // namespace
}  // namespace xmppcert::testing
