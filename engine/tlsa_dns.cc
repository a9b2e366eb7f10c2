#include "engine/tlsa_dns.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "engine/dns_update.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "engine/process.h"

namespace xmppcert {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

void require_shapes(const std::vector<std::string>& owners, const std::vector<std::string>& add,
                    const std::vector<std::string>& remove) {
  for (const auto& owner : owners) require_tlsa_owner(owner);
  for (const auto& hash : add) require_spki_hash(hash);
  for (const auto& hash : remove) require_spki_hash(hash);
}

class Rfc2136TlsaPublisher : public TlsaPublisher {
 public:
  explicit Rfc2136TlsaPublisher(const DaneSettings& s)
      : target_{s.server, s.port, s.key_file, s.zone} {}
  void change(const std::vector<std::string>& owners, const std::vector<std::string>& add,
              const std::vector<std::string>& remove, std::chrono::seconds ttl) override {
    require_shapes(owners, add, remove);
    std::vector<std::string> lines;
    for (const auto& owner : owners) {
      for (const auto& hash : remove)
        lines.push_back("update delete " + owner + " TLSA 3 1 1 " + hash);
      for (const auto& hash : add)
        lines.push_back("update add " + owner + " " + std::to_string(ttl.count()) + " TLSA 3 1 1 " +
                        hash);
    }
    send_dns_update(target_, lines);
  }

 private:
  DnsUpdateTarget target_;
};

// The hook gets the change in XMPPCERT_TLSA_* variables, one run per change.
class HookTlsaPublisher : public TlsaPublisher {
 public:
  explicit HookTlsaPublisher(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  void change(const std::vector<std::string>& owners, const std::vector<std::string>& add,
              const std::vector<std::string>& remove, std::chrono::seconds ttl) override {
    require_shapes(owners, add, remove);
    run_command_checked(
        argv_, "TLSA hook", "",
        {"XMPPCERT_TLSA_OWNERS=" + joined(owners), "XMPPCERT_TLSA_ADD=" + joined(add),
         "XMPPCERT_TLSA_REMOVE=" + joined(remove),
         "XMPPCERT_TLSA_TTL=" + std::to_string(ttl.count())});
  }

 private:
  std::vector<std::string> argv_;
};

// The admin publishes: the records to add and remove, in zone-file form, in the log.
class PrintTlsaPublisher : public TlsaPublisher {
 public:
  explicit PrintTlsaPublisher(std::string certificate) : certificate_(std::move(certificate)) {}
  void change(const std::vector<std::string>& owners, const std::vector<std::string>& add,
              const std::vector<std::string>& remove, std::chrono::seconds ttl) override {
    require_shapes(owners, add, remove);
    for (const auto& owner : owners) {
      for (const auto& hash : add)
        log_line(certificate_, "publish: " + owner + " " + std::to_string(ttl.count()) +
                                   " IN TLSA 3 1 1 " + hash);
      for (const auto& hash : remove)
        log_line(certificate_, "remove: " + owner + " IN TLSA 3 1 1 " + hash);
    }
  }

 private:
  std::string certificate_;
};

}  // namespace

void require_tlsa_owner(const std::string& owner) {
  bool ok = owner.size() > 8 && owner.size() <= 255 && owner.front() == '_' &&
            owner.back() == '.' && owner.find("..") == std::string::npos;
  for (char c : owner)
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_');
  if (!ok) throw_operation_error("publish TLSA at", "\"" + owner + "\"", "not a TLSA owner name");
}

void require_spki_hash(const std::string& hash) {
  if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw_operation_error("publish TLSA data", "\"" + hash + "\"", "not a SHA-256 in hex");
}

std::unique_ptr<TlsaPublisher> make_tlsa_publisher(const DaneSettings& settings,
                                                   const std::string& certificate) {
  switch (settings.publish) {
    case TlsaPublish::kRfc2136:
      return std::make_unique<Rfc2136TlsaPublisher>(settings);
    case TlsaPublish::kHook:
      return std::make_unique<HookTlsaPublisher>(settings.hook);
    case TlsaPublish::kPrint:
      break;
  }
  return std::make_unique<PrintTlsaPublisher>(certificate);
}

std::vector<std::string> parse_dig_tlsa(const std::string& output) {
  std::vector<std::string> hashes;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string usage, selector, matching, part, data;
    if (!(fields >> usage >> selector >> matching) || usage != "3" || selector != "1" ||
        matching != "1")
      continue;
    while (fields >> part) data += part;
    std::transform(data.begin(), data.end(), data.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (data.size() == 64 && data.find_first_not_of("0123456789abcdef") == std::string::npos)
      hashes.push_back(data);
  }
  return hashes;
}

std::vector<std::string> DigTlsaResolver::spki_hashes(const std::string& owner) {
  require_tlsa_owner(owner);
  std::vector<std::string> argv{"dig", "+short", "+time=2", "+tries=2"};
  if (!settings_.server.empty())
    argv.insert(argv.end(), {"-p", std::to_string(settings_.port), "@" + settings_.server});
  argv.insert(argv.end(), {owner, "TLSA"});
  CommandResult result = run_command(argv, std::chrono::seconds(30));
  if (result.exit_code != 0)
    throw_operation_error("query TLSA", owner,
                          "dig exit code " + std::to_string(result.exit_code) +
                              (settings_.server.empty() ? "" : " at " + settings_.server));
  return parse_dig_tlsa(result.output);
}

}  // namespace xmppcert
