#include "plugins/issuers/acme/authorization.h"

#include "engine/errors.h"
#include "plugins/issuers/acme/ca_input.h"
#include "plugins/issuers/acme/poll.h"

namespace xmppcert::acme {
namespace {

// At most one authorization per requested name: a CA cannot make us validate (and run
// hooks for) names we never asked for, nor loop us through an endless list.
void authorize(Transport& transport, const std::string& url, ChallengeSolver& solver,
               const std::string& thumbprint, const std::vector<std::string>& requested) {
  nlohmann::json authz = json_reply(transport.post_as_get(url), url);
  if (authz.value("status", "") == "valid") return;
  std::string domain = authz.at("identifier").at("value").get<std::string>();
  require_requested_identifier(domain, authz.value("wildcard", false), requested, url);
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
  const nlohmann::json& urls = order.body.at("authorizations");
  if (!urls.is_array() || urls.size() > order.requested.size())
    throw_operation_error("read order", order.url,
                          std::to_string(urls.size()) + " authorizations for " +
                              std::to_string(order.requested.size()) + " requested names");
  for (const auto& url : urls)
    authorize(transport, url.get<std::string>(), solver, thumbprint, order.requested);
}

}  // namespace xmppcert::acme
