// ACME problem documents (RFC 8555 §6.7, RFC 7807): every refusal the CA sends is one of
// these, thrown where the decision is made and turned into a response by the web front end.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace xmppcert::ca {

class AcmeProblem : public std::runtime_error {
 public:
  // `type` without the "urn:ietf:params:acme:error:" prefix: "badNonce", "badCSR", ...
  AcmeProblem(std::string type, std::string detail, int status = 400)
      : std::runtime_error(detail), type_(std::move(type)), status_(status) {}

  const std::string& type() const { return type_; }
  int status() const { return status_; }
  std::string type_urn() const { return "urn:ietf:params:acme:error:" + type_; }
  nlohmann::json document() const {
    return {{"type", type_urn()}, {"detail", what()}, {"status", status_}};
  }

  int retry_after = 0;  // seconds, for rateLimited

 private:
  std::string type_;
  int status_;
};

}  // namespace xmppcert::ca
