#include "tests/support/fake_issuer.h"

#include <algorithm>

#include "engine/errors.h"
#include "plugins/issuers/local/local_ca.h"

namespace xmppcert::testing {

FakeIssuer::FakeIssuer(std::string name) : name_(std::move(name)) {}

FakeIssuer::FakeIssuer(std::string name, const std::filesystem::path& local_ca_dir)
    : name_(std::move(name)), owned_ca_(std::make_unique<LocalCa>(local_ca_dir)),
      ca_(owned_ca_.get()) {}

FakeIssuer::FakeIssuer(std::string name, Issuer& ca) : name_(std::move(name)), ca_(&ca) {}

FakeIssuer::~FakeIssuer() = default;

IssuedCertificate FakeIssuer::issue(const IssuanceRequest& request) {
  ++orders;
  const auto& names = request.identities.dns_ids;
  for (const auto& [dns_id, why] : refused_)
    if (std::find(names.begin(), names.end(), dns_id) != names.end())
      throw OperationError("validate " + dns_id + ": " + why);
  if (issue_with) return issue_with(request);
  if (!ca_) throw OperationError("issue " + request.name + " with " + name_ + ": no CA");
  return ca_->issue(request);
}

std::optional<RenewalAdvice> FakeIssuer::renewal_advice(X509* certificate) {
  return advice ? advice(certificate) : std::nullopt;
}

void FakeIssuer::refuse(const std::string& dns_id, const std::string& why) {
  refused_.emplace_back(dns_id, why);
}

}  // namespace xmppcert::testing
