// The operator's commands on the CA's records, on either storage (the --config file's
// "storage", SQLite in the state dir without one): migrate (create or upgrade the schema),
// list (certificates by domain, account, serial, expiry) and revoke (by serial; every
// instance serves a CRL with it from its next CRL request on).
#include <algorithm>
#include <iostream>

#include "ca/commands.h"
#include "ca/sa/open_storage.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

using cmdline::parse_args;

// RFC 5280 §5.3.1 reasons an operator may give (no certificateHold, no removeFromCRL).
const std::pair<const char*, int> kReasons[] = {
    {"unspecified", 0},        {"keyCompromise", 1}, {"cACompromise", 2},
    {"affiliationChanged", 3}, {"superseded", 4},    {"cessationOfOperation", 5},
    {"privilegeWithdrawn", 9}, {"aACompromise", 10}};

int parse_reason(const std::string& text) {
  for (const auto& [name, code] : kReasons)
    if (text == name || text == std::to_string(code)) return code;
  std::string names;
  for (const auto& [name, code] : kReasons)
    names += (names.empty() ? "" : ", ") + std::string(name);
  throw UsageError("revoke: --reason " + text + " is not one of " + names);
}

std::string status_of(const IssuedLeaf& cert, std::time_t now) {
  if (cert.revoked_at != 0) return "revoked";
  return cert.not_after < now ? "expired" : "valid";
}

std::vector<std::string> names_of(const IssuedLeaf& cert) {
  try {
    return inspect_certificate(parse_certificate(cert.leaf_pem, cert.serial).get())
        .identities.dns_ids;
  } catch (const std::exception&) {
    return {};
  }
}

// --authorizations: each validated challenge with the perspectives that saw it (the CA's own
// and each notary's, as stored with the authorization).
int list_authorizations(Storage& storage, const cmdline::ParsedArgs& args) {
  auto domain = args.value("--domain");
  auto account = args.value("--account");
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, authz] : storage.documents("authz")) {
    std::string identifier = authz.value("identifier", "");
    if (domain && identifier != *domain) continue;
    if (account && *account != std::to_string(authz.value("account", 0LL))) continue;
    const nlohmann::json challenges = authz.value("challenges", nlohmann::json::object());
    for (const auto& [type, state] : challenges.items()) {
      if (!state.is_object() || state.value("status", "pending") == "pending") continue;
      nlohmann::json row{{"authorization", id},
                         {"account", authz.value("account", 0LL)},
                         {"identifier", identifier},
                         {"status", authz.value("status", "")},
                         {"challenge", type},
                         {"challenge_status", state.value("status", "")},
                         {"perspectives", state.value("perspectives", nlohmann::json::array())}};
      if (state.contains("error")) row["error"] = state["error"];
      out.push_back(row);
    }
  }
  if (args.has("--json")) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& row : out) {
    std::cout << row["authorization"].get<std::string>() << "  "
              << row["identifier"].get<std::string>() << "  " << row["challenge"].get<std::string>()
              << "  " << row["status"].get<std::string>() << "\n";
    if (row["perspectives"].empty())
      std::cout << "    ca " << row["challenge_status"].get<std::string>() << " (no notaries)\n";
    for (const auto& seen : row["perspectives"]) {
      std::string addresses;
      for (const auto& address : seen.value("addresses", nlohmann::json::array()))
        addresses += (addresses.empty() ? "" : ",") + address.get<std::string>();
      std::cout << "    " << seen.value("perspective", "?") << "  " << seen.value("outcome", "?")
                << "  [" << addresses << "]  " << seen.value("latency_ms", 0LL) << " ms";
      if (seen.contains("problem") && seen["problem"].is_object())
        std::cout << "  " << seen["problem"].value("detail", "");
      std::cout << "\n";
    }
  }
  std::cout << out.size() << " validation" << (out.size() == 1 ? "" : "s") << "\n";
  return 0;
}

}  // namespace

int run_migrate(const std::vector<std::string>& raw) {
  auto args = parse_args("migrate", raw, {{"--config", true}, {"--state-dir", true}});
  auto path = args.value("--config");
  if (!path) throw UsageError("migrate: --config FILE is required");
  StorageConfig storage = read_storage_config(read_config(path), *path);
  if (storage.postgresql.empty() && !args.value("--state-dir"))
    throw UsageError("migrate: " + *path +
                     " names no \"storage\"; for SQLite give --state-dir DIR");
  std::filesystem::path dir =
      args.value("--state-dir") ? state_dir(args, "migrate") : std::filesystem::path();
  std::cout << migrate_storage(storage, dir) << "\n";
  return 0;
}

int run_list(const std::vector<std::string>& raw) {
  auto args = parse_args("list", raw,
                         {{"--state-dir", true},
                          {"--config", true},
                          {"--json", false},
                          {"--domain", true},
                          {"--account", true},
                          {"--authorizations", false}});
  auto storage = open_configured_storage(args, state_dir(args, "list"));
  if (args.has("--authorizations")) return list_authorizations(*storage, args);
  std::time_t now = std::time(nullptr);
  auto domain = args.value("--domain");
  auto account = args.value("--account");
  nlohmann::json out = nlohmann::json::array();
  for (const auto& cert : storage->certificates()) {
    std::vector<std::string> names = names_of(cert);
    if (domain && std::find(names.begin(), names.end(), *domain) == names.end()) continue;
    if (account && *account != std::to_string(cert.account)) continue;
    nlohmann::json row{{"serial", cert.serial},
                       {"account", cert.account},
                       {"domains", names},
                       {"status", status_of(cert, now)},
                       {"issued", format_utc(cert.issued)},
                       {"not_after", format_utc(cert.not_after)}};
    if (cert.revoked_at != 0) {
      row["revoked_at"] = format_utc(cert.revoked_at);
      row["reason"] = cert.reason;
    }
    out.push_back(row);
  }
  if (args.has("--json")) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "SERIAL                                   ACCOUNT  STATUS   NOT AFTER             "
               "DOMAINS\n";
  for (const auto& row : out) {
    std::string serial = row["serial"];
    std::string names;
    for (const auto& name : row["domains"])
      names += (names.empty() ? "" : ",") + name.get<std::string>();
    std::string status = row["status"];
    std::cout << serial << std::string(serial.size() < 41 ? 41 - serial.size() : 1, ' ')
              << std::to_string(row["account"].get<long long>())
              << std::string(9 - std::min<size_t>(
                                     8, std::to_string(row["account"].get<long long>()).size()),
                             ' ')
              << status << std::string(9 - status.size(), ' ')
              << row["not_after"].get<std::string>() << "  " << names << "\n";
  }
  std::cout << out.size() << " certificate" << (out.size() == 1 ? "" : "s") << "\n";
  return 0;
}

int run_revoke(const std::vector<std::string>& raw) {
  auto args = parse_args(
      "revoke", raw,
      {{"--state-dir", true}, {"--config", true}, {"--serial", true}, {"--reason", true}});
  auto dir = state_dir(args, "revoke");
  auto serial = args.value("--serial");
  if (!serial) throw UsageError("revoke: --serial HEX is required");
  std::string hex = *serial;
  std::transform(hex.begin(), hex.end(), hex.begin(), ::tolower);
  if (hex.starts_with("0x")) hex = hex.substr(2);
  hex.erase(std::remove(hex.begin(), hex.end(), ':'), hex.end());
  if (hex.empty() || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw UsageError("revoke: --serial " + *serial + " is not hexadecimal");
  int reason = parse_reason(args.value("--reason").value_or("unspecified"));
  auto storage = open_configured_storage(args, dir);
  bool revoked = storage->transaction([&] {
    auto cert = storage->certificate(hex);
    if (!cert)
      throw_operation_error("revoke", "serial " + hex, "this CA issued no such certificate");
    if (cert->revoked_at != 0) return false;
    storage->revoke_certificate(hex, reason, std::time(nullptr));
    return true;
  });
  if (!revoked) {
    std::cout << "serial " << hex << " was revoked before; nothing changed\n";
    return 0;
  }
  std::cout << "revoked serial " << hex << " (reason " << reason
            << "); the CRL every instance serves lists it from its next request on\n";
  return 0;
}

}  // namespace xmppcert::ca
