#include "engine/issued_not_installed.h"

#include <algorithm>

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/log.h"
#include "engine/renewal_decision.h"
#include "engine/san.h"

namespace xmppcert {

std::optional<ReusableVersion> reusable_issued_version(const Store& store,
                                                       const CertificateRecord& previous,
                                                       const CertificateRequest& request,
                                                       const XmppIdentities& wanted,
                                                       EVP_PKEY* chosen_key, std::time_t now) {
  if (!previous.issued_not_installed) return std::nullopt;
  const IssuedNotInstalled& issued = *previous.issued_not_installed;
  const std::string label = "v" + std::to_string(issued.version);
  auto not_reused = [&](const std::string& why) -> std::optional<ReusableVersion> {
    log_line(request.name, label + ", issued but not installed, is not reused: " + why +
                               "; ordering a new certificate");
    return std::nullopt;
  };
  if (issued.version <= previous.current_version) return std::nullopt;
  if (issued.issuer != request.issuer || issued.issuer_settings != request.issuer_settings)
    return not_reused("the issuer or its settings changed since");
  std::vector<int> kept = store.versions(request.name);
  if (std::find(kept.begin(), kept.end(), issued.version) == kept.end())
    return not_reused("its folder is gone");
  try {
    ReusableVersion reuse{store.version(request.name, issued.version), nullptr, nullptr, issued};
    auto cert_path = reuse.version.cert_path();
    auto key_path = reuse.version.key_path();
    reuse.leaf = parse_certificate(read_file(cert_path), cert_path.string());
    reuse.key = load_private_key(read_file(key_path), key_path.string());
    if (!certificate_matches_key(reuse.leaf.get(), reuse.key.get()))
      return not_reused("its certificate is not for its key");
    if (key_type_of(reuse.key.get()) != request.key_type)
      return not_reused("the key type changed since");
    if (chosen_key && EVP_PKEY_eq(chosen_key, reuse.key.get()) != 1)
      return not_reused("another key is to be certified now");
    for (const auto& id : missing_identities(wanted, identities_in_certificate(reuse.leaf.get())))
      if (id.rfind("DNS:", 0) == 0) return not_reused("it does not cover " + id);
    CertificateInfo info = inspect_certificate(reuse.leaf.get());
    std::time_t due =
        issued.renew_after ? issued.renew_after : renewal_time(info.not_before, info.not_after);
    if (now >= due) return not_reused("it was due for renewal itself at " + format_utc(due));
    return reuse;
  } catch (const std::exception& e) {
    return not_reused(e.what());
  }
}

}  // namespace xmppcert
