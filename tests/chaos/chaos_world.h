// The world a chaos run plays in: a real prosody (as the unprivileged test user) whose config
// includes a conf.d folder, an xmppcertd managing two certificates (the prosody one, whose
// names come from prosody's config, and a `files` one), a state dir on a small tmpfs when
// mounting is allowed (so the disk can be filled), and the invariants that must hold once
// things settle.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/xmpp_servers.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {

class ChaosWorld {
 public:
  static constexpr const char* kServed = "example.test";  // prosody's certificate
  static constexpr const char* kOther = "other.test";     // installed with `files`

  ChaosWorld();
  ~ChaosWorld();

  // xmppcert ARGS --config ... --state-dir ...; synchronous, or started and returned.
  ProcessResult cli(std::vector<std::string> args) const;
  pid_t cli_started(std::vector<std::string> args) const;

  void start_agent();
  void kill_agent();  // SIGKILL, reaped
  bool agent_alive();

  // conf.d: snippets the driver adds and removes, each holding one host or one component.
  void write_snippet(const std::string& file, const std::string& text);
  void remove_snippet(const std::string& file);
  std::vector<std::string> snippets() const;

  std::vector<std::filesystem::path> installed_files() const;
  ProsodyServer& server() { return *server_; }
  bool disk_can_fill() const { return tmpfs_; }
  void fill_disk();  // a filler file takes every free byte of the state dir's tmpfs
  void free_disk();

  // Every broken invariant, one line each; empty when all hold.
  std::vector<std::string> violations() const;
  std::string agent_log() const;

 private:
  std::filesystem::path state() const { return dir_.path() / "state"; }

  TempDir dir_;
  TempDir conf_d_;
  std::unique_ptr<ProsodyServer> server_;
  bool tmpfs_ = false;
  pid_t agent_ = -1;
};

}  // namespace xmppcert::testing
