#include "plugins/issuers/acme/order.h"

#include "engine/csr.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "plugins/issuers/acme/poll.h"
#include "plugins/issuers/acme/renewal_info.h"

namespace xmppcert::acme {
namespace {

std::string checked_profile(const nlohmann::json& directory, const AcmeSettings& settings) {
  const nlohmann::json* profiles = nullptr;
  if (directory.contains("meta") && directory["meta"].contains("profiles"))
    profiles = &directory["meta"]["profiles"];
  if (!profiles || !profiles->is_object())
    throw_operation_error("use ACME profile \"" + settings.profile + "\" at", settings.directory,
                          "the CA offers no profiles");
  if (!profiles->contains(settings.profile)) {
    std::string offered;
    for (const auto& [name, description] : profiles->items())
      offered += (offered.empty() ? "" : ", ") + name;
    throw_operation_error("use ACME profile \"" + settings.profile + "\" at", settings.directory,
                          "offered: " + offered);
  }
  return settings.profile;
}

}  // namespace

Order place_order(Transport& transport, const AcmeSettings& settings,
                  const IssuanceRequest& request) {
  nlohmann::json identifiers = nlohmann::json::array();
  for (const auto& dns : request.identities.dns_ids)
    identifiers.push_back({{"type", "dns"}, {"value", dns}});
  std::string new_order = transport.endpoint("newOrder");
  nlohmann::json order_request{{"identifiers", identifiers}};
  if (!settings.profile.empty())
    order_request["profile"] = checked_profile(transport.directory(), settings);
  if (transport.directory().contains("renewalInfo") && request.replaces)
    order_request["replaces"] = renewal_certificate_id(request.replaces);
  HttpResponse response = transport.post(new_order, order_request);
  auto url = response.header("location");
  if (!url) throw_operation_error("create order at", new_order, "no Location header");
  return Order{*url, json_reply(response, new_order), request.identities.dns_ids};
}

std::string finalize_order(Transport& transport, const Order& order, X509_REQ* csr) {
  HttpResponse response = transport.post(order.body.at("finalize").get<std::string>(),
                                         {{"csr", base64url_encode(csr_der(csr))}});
  // A CA that issues at once answers "valid" here already: no need to ask again.
  nlohmann::json done = nlohmann::json::parse(response.body, nullptr, false);
  if (!done.is_object() || done.value("status", "") != "valid" || !done.contains("certificate"))
    done = poll_until(transport, order.url, {"pending", "ready", "processing"});
  if (done.value("status", "") != "valid")
    throw_operation_error(
        "finalize order", order.url,
        "status " + done.value("status", "?") + " (" + problem_detail(done) + ")");
  return done.at("certificate").get<std::string>();
}

}  // namespace xmppcert::acme
