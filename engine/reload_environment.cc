#include "engine/reload_environment.h"

#include <stdexcept>

#include "engine/certificate.h"
#include "engine/fs.h"

namespace xmppcert {

CommandEnvironment reload_environment(const StoredVersion& version,
                                      const std::vector<std::string>& installed_paths) {
  CommandEnvironment environment{
      "XMPPCERT_NAME=" + version.dir.parent_path().filename().string(),
      "XMPPCERT_VERSION=" + std::to_string(version.number),
      "XMPPCERT_KEY=" + version.key_path().string(),
      "XMPPCERT_CERT=" + version.cert_path().string(),
      "XMPPCERT_CHAIN=" + version.chain_path().string(),
      "XMPPCERT_FULLCHAIN=" + version.fullchain_path().string(),
  };
  std::string paths;
  for (const auto& path : installed_paths) paths += (paths.empty() ? "" : ":") + path;
  environment.push_back("XMPPCERT_INSTALLED=" + paths);
  try {
    X509Ptr certificate =
        parse_certificate(read_file(version.cert_path()), version.cert_path().string());
    std::string domains;
    for (const auto& dns : inspect_certificate(certificate.get()).identities.dns_ids)
      domains += (domains.empty() ? "" : " ") + dns;
    environment.push_back("XMPPCERT_DOMAINS=" + domains);
  } catch (const std::runtime_error&) {  // unreadable: the reload runs without it
  }
  return environment;
}

}  // namespace xmppcert
