// Notaries (`xmppcert-ca notary`) for the CA's tests and the federation's: `notary init` at
// construction, so that the key_sha256 is known before the CA's config is written, and
// `notary serve` once the CA's root exists. Stopped in the destructor.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

struct NotaryServeOptions {
  std::string ca_root;   // the CA's root.pem
  std::string resolver;  // "ADDR:PORT" of the notary's own resolver
  int http01_port = 0;
  std::vector<std::string> validation_networks = {"127.0.0.0/8", "192.0.2.0/24"};
  std::vector<std::string> extra_args;
};

class Notary {
 public:
  // `listen_address`: where it serves (0.0.0.0 on a namespace host); `url_host`: the address
  // the CA reaches it by.
  explicit Notary(const std::string& listen_address = "127.0.0.1",
                  const std::string& url_host = "127.0.0.1", int port = 0);
  ~Notary();
  Notary(const Notary&) = delete;
  Notary& operator=(const Notary&) = delete;

  void serve(const NotaryServeOptions& options);
  void stop();
  bool serving() const { return pid_ > 0; }
  std::string url() const { return "https://" + url_host_ + ":" + std::to_string(port_); }
  const std::string& key_sha256() const { return key_sha256_; }
  int port() const { return port_; }
  std::string state_dir() const { return (dir_ / "notary").string(); }
  std::string log() const;
  nlohmann::json config_entry() const { return {{"url", url()}, {"key_sha256", key_sha256_}}; }

 private:
  TempDir dir_;
  std::string listen_address_, url_host_;
  int port_ = 0;
  std::string key_sha256_;
  pid_t pid_ = -1;
};

// {"notaries": [...]} for the CA's config_json, with `more` merged in.
std::string notaries_config(const std::vector<const Notary*>& notaries,
                            nlohmann::json more = nlohmann::json::object());

}  // namespace xmppcert::testing
