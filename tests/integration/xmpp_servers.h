// Real XMPP servers from Debian for the plugin tests: prosody, ejabberd and jabberd2, each
// started in a temp dir on free 127.0.0.1 ports as the unprivileged user xmppcert-test
// (created when the tests run as root), with certificates in a root-owned folder the user
// reads through its group. Each destructor stops its server.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

// The user and group servers run as: xmppcert-test when root (created if missing), else
// the current user.
struct TestUser {
  std::string user;
  std::string group;
};
const TestUser& test_user();

class XmppServer {
 public:
  virtual ~XmppServer() = default;
  int c2s_port() const { return c2s_port_; }
  int s2s_port() const { return s2s_port_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // The "install" object of an xmppcert config for this server.
  virtual nlohmann::json install_settings() const = 0;
  // The server's log, for failure messages.
  virtual std::string log() const = 0;
  // Polls log() for `line` for up to 10 s.
  bool logged_eventually(const std::string& line) const;

 protected:
  XmppServer();
  TempDir dir_;
  std::filesystem::path data_;  // owned by the test user
  int c2s_port_;
  int s2s_port_;
};

class ProsodyServer : public XmppServer {
 public:
  static bool available();
  // Serves `domain` and the MUC component conference.`domain`. With `s2s_ip`, s2s listens on
  // s2s_ip:5269, where peers find it through DNS (in a test's own network namespace).
  explicit ProsodyServer(const std::string& domain, const std::string& extra_config = "",
                         const std::string& s2s_ip = "");
  ~ProsodyServer() override;
  void restart();  // stops and starts the same server: its s2s links are closed
  // False once the prosody process has exited (reaped here; restart() starts it again).
  bool running();
  nlohmann::json install_settings() const override;
  std::string log() const override;
  std::filesystem::path config() const { return dir() / "prosody.cfg.lua"; }
  // prosodyctl ARGS for this server (it switches to the test user itself).
  std::vector<std::string> ctl(const std::vector<std::string>& args) const;

 private:
  void start();
  pid_t pid_ = -1;
};

class EjabberdServer : public XmppServer {
 public:
  static bool available();
  // `s2s_ip` as for ProsodyServer. `extra_config` may set s2s_use_starttls (else: optional).
  explicit EjabberdServer(const std::string& domain, const std::string& extra_config = "",
                          const std::string& s2s_ip = "");
  ~EjabberdServer() override;
  nlohmann::json install_settings() const override;
  std::string log() const override;
  std::filesystem::path config() const { return dir() / "ejabberd.yml"; }
  // ejabberdctl ARGS for this node, as the test user.
  std::vector<std::string> ctl(const std::vector<std::string>& args) const;

 private:
  std::vector<std::string> ctl_args(const std::vector<std::string>& args) const;
  // The node's own epmd (Erlang's port mapper, started by the first node that needs it), on
  // a port of its own so that the destructor can stop it without touching anyone else's.
  int epmd_port_;
  std::string node_;
  pid_t pid_ = -1;
};

class Jabberd2Server : public XmppServer {
 public:
  static bool available();
  explicit Jabberd2Server(const std::string& domain);
  ~Jabberd2Server() override;
  nlohmann::json install_settings() const override;
  std::string log() const override;
  // How to start one component (router, sm, c2s, s2s), as the test user when asked.
  std::vector<std::string> component_argv(const std::string& component,
                                          bool as_test_user = true) const;

 private:
  std::vector<pid_t> pids_;
};

}  // namespace xmppcert::testing
