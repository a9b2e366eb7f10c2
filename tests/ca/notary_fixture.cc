#include "tests/ca/notary_fixture.h"

#include <stdexcept>

#include "engine/fs.h"
#include "tests/ca/ca_fixture.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {

Notary::Notary(const std::string& listen_address, const std::string& url_host, int port)
    : listen_address_(listen_address), url_host_(url_host), port_(port ? port : free_port()) {
  ProcessResult r = run_xmppcert_ca({"notary", "init", "--state-dir", state_dir()});
  const std::string marker = "key_sha256: ";
  size_t at = r.out.find(marker);
  if (r.exit_code != 0 || at == std::string::npos)
    throw std::runtime_error("xmppcert-ca notary init: " + r.out + r.err);
  key_sha256_ = r.out.substr(at + marker.size(), 64);
}

Notary::~Notary() { stop(); }

void Notary::serve(const NotaryServeOptions& options) {
  std::vector<std::string> argv{XMPPCERT_CA_BINARY,
                                "notary",
                                "serve",
                                "--state-dir",
                                state_dir(),
                                "--listen",
                                listen_address_ + ":" + std::to_string(port_),
                                "--ca-root",
                                options.ca_root,
                                "--resolver",
                                options.resolver,
                                "--validation-http-port",
                                std::to_string(options.http01_port)};
  for (const auto& network : options.validation_networks) {
    argv.push_back("--validation-networks");
    argv.push_back(network);
  }
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  pid_ = spawn_unprivileged(argv, {}, dir_ / "notary.log", "root", "root");
  if (listen_address_ == "127.0.0.1" || listen_address_ == "0.0.0.0")
    wait_for_port(port_, "xmppcert-ca notary", pid_);
}

void Notary::stop() { stop_process(pid_); }

std::string Notary::log() const {
  try {
    return read_file(dir_ / "notary.log");
  } catch (const std::exception&) {
    return "";
  }
}

std::string notaries_config(const std::vector<const Notary*>& notaries, nlohmann::json more) {
  nlohmann::json list = nlohmann::json::array();
  for (const Notary* notary : notaries) list.push_back(notary->config_entry());
  more["notaries"] = list;
  return more.dump();
}

}  // namespace xmppcert::testing
