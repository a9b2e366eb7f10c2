#include "plugins/issuers/acme/authorization.h"

#include "engine/errors.h"
#include "plugins/issuers/acme/poll.h"

namespace xmppcert::acme {
namespace {

void authorize(Transport& transport, const std::string& url, ChallengeSolver& solver,
               const std::string& thumbprint) {
  nlohmann::json authz = nlohmann::json::parse(transport.post_as_get(url).body);
  if (authz.value("status", "") == "valid") return;
  std::string domain = authz.at("identifier").at("value").get<std::string>();
  const nlohmann::json* challenge = nullptr;
  for (const auto& c : authz.at("challenges"))
    if (c.value("type", "") == solver.type()) challenge = &c;
  if (!challenge)
    throw_operation_error("authorize", domain, "the CA offers no " + solver.type() + " challenge");
  std::string token = challenge->at("token").get<std::string>();
  std::string key_authorization = token + "." + thumbprint;
  solver.present(domain, token, key_authorization);
  try {
    transport.post(challenge->at("url").get<std::string>(), nlohmann::json::object());
    nlohmann::json result = poll_until(transport, url, {"pending", "processing"});
    if (result.value("status", "") != "valid") {
      std::string detail = "authorization " + result.value("status", "?");
      for (const auto& c : result.value("challenges", nlohmann::json::array()))
        if (c.contains("error")) detail += " (" + problem_detail(c) + ")";
      throw_operation_error("authorize", domain, detail);
    }
  } catch (...) {
    solver.cleanup(domain, token, key_authorization);
    throw;
  }
  solver.cleanup(domain, token, key_authorization);
}

}  // namespace

void authorize_order(Transport& transport, const Order& order, ChallengeSolver& solver,
                     const std::string& thumbprint) {
  for (const auto& url : order.body.at("authorizations"))
    authorize(transport, url.get<std::string>(), solver, thumbprint);
}

}  // namespace xmppcert::acme
