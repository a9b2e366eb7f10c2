// The embedded local CA, the default issuer: no network, the full XMPP profile.
//
// On first use it creates its root (EC P-384, ten years) in <state>/ca/local/. Leaves copy
// exactly the SANs of the CSR (DNS-ID, SRV-ID, XmppAddr), get a random 128-bit serial,
// SKI/AKI, CA:FALSE and EKU serverAuth + clientAuth: on s2s a server is also the TLS
// client, and certificate authentication (SASL EXTERNAL, XEP-0178) needs clientAuth, which
// public ACME CAs no longer issue.
#pragma once

#include <filesystem>
#include <string>

#include "engine/issuer.h"

namespace xmppcert {

class LocalCa : public Issuer {
 public:
  explicit LocalCa(std::filesystem::path dir);

  std::string name() const override { return "local"; }
  IssuedCertificate issue(const IssuanceRequest& request) override;
  // Its root and key readable, or (before the first issuance) its folder creatable.
  PreflightChecks preflight() const override;

  // The root in PEM, created first if missing.
  std::string root_pem();

  static std::filesystem::path dir_in(const std::filesystem::path& state_dir) {
    return state_dir / "ca" / "local";
  }

 private:
  void load_or_create_root();

  std::filesystem::path dir_;
  PKeyPtr key_;
  X509Ptr root_;
};

}  // namespace xmppcert
