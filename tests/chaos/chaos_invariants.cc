// The invariants of a chaos run, checked once things settle: installed files equal the
// store's current version, a key is installed only beside its own certificate, prosody
// serves the installed certificate on c2s and s2s, every record is valid JSON, no temporary
// file is left, and every host and component of prosody's config is covered.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/certificate.h"
#include "engine/fs.h"
#include "engine/identity.h"
#include "engine/keys.h"
#include "engine/starttls_probe.h"
#include "engine/store.h"
#include "plugins/servers/prosody/prosody_config.h"
#include "tests/chaos/chaos_world.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

std::string contents(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec) ? read_file(path) : std::string("(missing)");
}

void check_installed(const Store& store, const std::string& name, const fs::path& key,
                     const fs::path& fullchain, std::vector<std::string>& out) {
  auto record = store.load(name);
  if (!record || record->current_version == 0) {
    out.push_back(name + ": nothing issued");
    return;
  }
  StoredVersion v = store.version(name, record->current_version);
  if (contents(key) != contents(v.key_path()))
    out.push_back(name + ": " + key.string() + " is not v" + std::to_string(v.number) + "'s key");
  if (contents(fullchain) != contents(v.fullchain_path()))
    out.push_back(name + ": " + fullchain.string() + " is not v" + std::to_string(v.number) +
                  "'s full chain");
  try {
    X509Ptr cert = parse_certificate(contents(fullchain), fullchain.string());
    PKeyPtr pkey = load_private_key(contents(key), key.string());
    if (!certificate_matches_key(cert.get(), pkey.get()))
      out.push_back(name + ": installed key and certificate do not match");
  } catch (const std::exception& e) {
    out.push_back(name + ": installed files unreadable: " + e.what());
  }
}

void check_served(const ProsodyServer& server, const fs::path& installed,
                  std::vector<std::string>& out) {
  std::string wanted;
  try {
    wanted = sha256_fingerprint(parse_certificate(contents(installed), installed.string()).get());
  } catch (const std::exception&) {
    return;  // reported by check_installed
  }
  for (bool s2s : {false, true}) {
    ProbeTarget target{"127.0.0.1", s2s ? server.s2s_port() : server.c2s_port(),
                       ChaosWorld::kServed, s2s};
    try {
      ServedChain served = probe_starttls(target, std::chrono::seconds(5));
      if (served.chain.empty() || sha256_fingerprint(served.chain.front().get()) != wanted)
        out.push_back(describe_target(target) + " serves another certificate than installed");
    } catch (const std::exception& e) {
      out.push_back(describe_target(target) + ": " + e.what());
    }
  }
}

void check_state_files(const fs::path& state, const std::vector<fs::path>& installed,
                       std::vector<std::string>& out) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(state, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string file = it->path().filename().string();
    if (file.find(".tmp-") != std::string::npos)
      out.push_back("temporary file left: " + it->path().string());
    if (file == "record.json") {
      try {
        [[maybe_unused]] auto parsed = nlohmann::json::parse(read_file(it->path()));
      } catch (const std::exception& e) {
        out.push_back(it->path().string() + " is not JSON: " + e.what());
      }
    }
  }
  for (const auto& path : installed)
    for (const auto& entry : fs::directory_iterator(path.parent_path(), ec))
      if (entry.path().filename().string().rfind("." + path.filename().string() + ".tmp-", 0) == 0)
        out.push_back("temporary file left: " + entry.path().string());
}

void check_coverage(const Store& store, const fs::path& prosody_config,
                    std::vector<std::string>& out) {
  auto record = store.load(ChaosWorld::kServed);
  if (!record) return;
  const auto& dns = record->certificate.identities.dns_ids;
  ServerFacts facts = read_prosody_config(prosody_config);
  std::vector<std::string> names = facts.names.domains;
  names.insert(names.end(), facts.names.components.begin(), facts.names.components.end());
  for (const auto& name : names) {
    try {
      parse_domain(name);
    } catch (const std::exception&) {
      continue;  // "localhost" and the like are not certified
    }
    if (std::find(dns.begin(), dns.end(), name) == dns.end())
      out.push_back(std::string(ChaosWorld::kServed) + ": does not cover " + name +
                    " from prosody's config");
  }
}

}  // namespace

std::vector<std::string> ChaosWorld::violations() const {
  std::vector<std::string> out;
  try {
    StateDirStore store(state());
    auto files = installed_files();
    check_installed(store, kServed, files[0], files[1], out);
    check_installed(store, kOther, files[2], files[3], out);
    check_served(*server_, files[1], out);
    check_state_files(state(), files, out);
    check_coverage(store, server_->config(), out);
  } catch (const std::exception& e) {
    out.push_back(std::string("checking failed: ") + e.what());
  }
  return out;
}

}  // namespace xmppcert::testing
