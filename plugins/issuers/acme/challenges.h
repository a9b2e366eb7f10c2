// Challenge solvers behind one small interface (like lego's challenge.Provider): make the
// key authorization visible where the CA looks, and take it away afterwards.
//   http-01 standalone: a built-in HTTP responder on a configured address and port;
//   http-01 webroot:    a file under <webroot>/.well-known/acme-challenge/;
//   dns-01 hook:        an external program run with argv `add|del FQDN VALUE`.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/command_runner.h"
#include "plugins/issuers/acme/challenge_listener.h"

namespace xmppcert::acme {

class ChallengeSolver {
 public:
  virtual ~ChallengeSolver() = default;
  virtual std::string type() const = 0;  // "http-01", "dns-01"
  virtual void present(const std::string& domain, const std::string& token,
                       const std::string& key_authorization) = 0;
  virtual void cleanup(const std::string& domain, const std::string& token,
                       const std::string& key_authorization) = 0;
};

class Http01Responder : public ChallengeSolver {
 public:
  // Binds at once, so a busy port is reported before any order is placed.
  Http01Responder(const std::string& address, int port);
  ~Http01Responder() override;
  std::string type() const override { return "http-01"; }
  void present(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;
  void cleanup(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;

 private:
  void answer(int client);
  std::mutex mutex_;
  std::map<std::string, std::string> answers_;   // token -> key authorization
  std::unique_ptr<ChallengeListener> listener_;  // last: stops before the answers go
};

// present() also removes the token files a killed run of ours left behind: regular files
// (never through a symlink) named like a token whose content is that token's key
// authorization under our account key, other than those this writer presented. Runs with one
// account key share its state dir and its state lock, so none of them is answering meanwhile.
class WebrootWriter : public ChallengeSolver {
 public:
  explicit WebrootWriter(std::string webroot) : webroot_(std::move(webroot)) {}
  std::string type() const override { return "http-01"; }
  void present(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;
  void cleanup(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;

 private:
  std::string webroot_;
  std::set<std::string> presented_;  // tokens of this run: never stale
};

// dns-01 by RFC 2136 dynamic update (engine/dns_update.h: nsupdate, optionally TSIG-signed
// with a key file).
class Rfc2136Update : public ChallengeSolver {
 public:
  Rfc2136Update(std::string server, int port, std::string key_file,
                const CommandRunner& commands = system_command_runner())
      : server_(std::move(server)),
        port_(port),
        key_file_(std::move(key_file)),
        commands_(commands) {}
  std::string type() const override { return "dns-01"; }
  void present(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;
  void cleanup(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;

 private:
  void update(const std::string& line);
  std::string server_;
  int port_;
  std::string key_file_;
  const CommandRunner& commands_;  // runs nsupdate
};

class Dns01Hook : public ChallengeSolver {
 public:
  explicit Dns01Hook(std::vector<std::string> argv,
                     const CommandRunner& commands = system_command_runner())
      : argv_(std::move(argv)), commands_(commands) {}
  std::string type() const override { return "dns-01"; }
  void present(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;
  void cleanup(const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;

  // The TXT value of RFC 8555 §8.4: base64url(SHA-256(key authorization)).
  static std::string txt_value(const std::string& key_authorization);

 private:
  std::vector<std::string> argv_;
  const CommandRunner& commands_;
};

}  // namespace xmppcert::acme
