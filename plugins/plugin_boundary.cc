#include "plugins/plugin_boundary.h"

namespace xmppcert {
namespace {

class GuardedIssuer : public Issuer {
 public:
  explicit GuardedIssuer(std::unique_ptr<Issuer> inner)
      : inner_(std::move(inner)), name_(inner_->name()) {}
  std::string name() const override { return name_; }
  IssuedCertificate issue(const IssuanceRequest& request) override {
    return at_plugin_boundary("issue certificate " + request.name + " with issuer", name_,
                              [&] { return inner_->issue(request); });
  }
  void revoke(X509* certificate, EVP_PKEY* certificate_key, int reason) override {
    at_plugin_boundary("revoke with issuer", name_,
                       [&] { inner_->revoke(certificate, certificate_key, reason); });
  }
  std::optional<RenewalAdvice> renewal_advice(X509* certificate) override {
    return at_plugin_boundary("ask for renewal advice with issuer", name_,
                              [&] { return inner_->renewal_advice(certificate); });
  }
  std::optional<TransparencyLogSource> transparency_log() override {
    return at_plugin_boundary("find the transparency log of issuer", name_,
                              [&] { return inner_->transparency_log(); });
  }
  std::string validity_given(std::chrono::seconds requested) const override {
    return inner_->validity_given(requested);
  }
  PreflightChecks preflight() const override {
    return at_plugin_boundary("check before a run with issuer", name_,
                              [&] { return inner_->preflight(); });
  }

 private:
  std::unique_ptr<Issuer> inner_;
  std::string name_;
};

class GuardedServerPlugin : public ServerPlugin {
  template <typename Body>
  decltype(auto) guard(const std::string& operation, Body&& body) const {
    return at_plugin_boundary(operation + " server plugin", name_, std::forward<Body>(body));
  }

 public:
  explicit GuardedServerPlugin(std::unique_ptr<ServerPlugin> inner)
      : inner_(std::move(inner)), name_(inner_->name()) {}
  std::string name() const override { return name_; }
  ServedNames discover() const override {
    return guard("discover names with", [&] { return inner_->discover(); });
  }
  void install(const StoredVersion& version) override {
    guard("install v" + std::to_string(version.number) + " with",
          [&] { inner_->install(version); });
  }
  void reload() override {
    guard("reload with", [&] { inner_->reload(); });
  }
  bool rollback() override {
    return guard("roll back with", [&] { return inner_->rollback(); });
  }
  std::vector<InstalledFile> installed_files(const StoredVersion& version) const override {
    return guard("list installed files of", [&] { return inner_->installed_files(version); });
  }
  std::vector<std::string> server_config_files() const override {
    return guard("list config files of", [&] { return inner_->server_config_files(); });
  }
  std::vector<std::string> server_config_folders() const override {
    return guard("list config folders of", [&] { return inner_->server_config_folders(); });
  }
  PreflightChecks running_checks() const override {
    return guard("check that it runs:", [&] { return inner_->running_checks(); });
  }
  std::vector<std::string> remove_config_references(
      const std::vector<InstalledFile>& files) override {
    return guard("edit the config of", [&] { return inner_->remove_config_references(files); });
  }
  std::vector<std::string> missing_config(const StoredVersion& version) const override {
    return guard("check the config of", [&] { return inner_->missing_config(version); });
  }
  std::vector<ProbeTarget> probe_targets(const std::string& domain) const override {
    return guard("list probe targets of", [&] { return inner_->probe_targets(domain); });
  }
  std::chrono::seconds verify_wait() const override { return inner_->verify_wait(); }
  std::vector<PlannedFile> planned_files(const StoredVersion& version) const override {
    return guard("plan the files of", [&] { return inner_->planned_files(version); });
  }
  std::vector<std::vector<std::string>> reload_commands() const override {
    return inner_->reload_commands();
  }
  PreflightChecks preflight() const override {
    return guard("check before a run with", [&] { return inner_->preflight(); });
  }

 private:
  std::unique_ptr<ServerPlugin> inner_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Issuer> guard_issuer(std::unique_ptr<Issuer> issuer) {
  return std::make_unique<GuardedIssuer>(std::move(issuer));
}

std::unique_ptr<ServerPlugin> guard_server_plugin(std::unique_ptr<ServerPlugin> plugin) {
  return std::make_unique<GuardedServerPlugin>(std::move(plugin));
}

}  // namespace xmppcert
