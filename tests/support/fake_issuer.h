// The issuer of the tests: issues from a real CA (the local CA in a folder, or another issuer
// it wraps) so the certificates check out, counts the orders, and does what a test tells it
// instead: refuse an order naming a domain, answer with its own certificate, give renewal
// advice. Without a CA and without `issue_with`, issue() fails.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/issuer.h"

namespace xmppcert::testing {

class FakeIssuer : public Issuer {
 public:
  explicit FakeIssuer(std::string name = "fake");
  // Issues from the local CA kept in `local_ca_dir` (LocalCa::dir_in(state dir)).
  FakeIssuer(std::string name, const std::filesystem::path& local_ca_dir);
  // Issues through `ca` (not owned), counting.
  FakeIssuer(std::string name, Issuer& ca);
  ~FakeIssuer() override;

  std::string name() const override { return name_; }
  // Counts the order, fails it when it names a refused domain, then answers with
  // `issue_with` when set, else with the CA.
  IssuedCertificate issue(const IssuanceRequest& request) override;
  // `advice`'s answer; none set: no renewal information (nullopt).
  std::optional<RenewalAdvice> renewal_advice(X509* certificate) override;

  // An order naming `dns_id` fails as a CA's validation would: OperationError "validate
  // <dns_id>: <why>".
  void refuse(const std::string& dns_id, const std::string& why);

  std::function<IssuedCertificate(const IssuanceRequest&)> issue_with;
  std::function<std::optional<RenewalAdvice>(X509*)> advice;
  int orders = 0;  // issue() calls, refused ones included

 private:
  std::string name_;
  std::unique_ptr<Issuer> owned_ca_;
  Issuer* ca_ = nullptr;
  std::vector<std::pair<std::string, std::string>> refused_;  // DNS-ID, why
};

}  // namespace xmppcert::testing
