// One UPDATE message per change: the deletions and additions of every owner together, which
// the server applies whole or not at all, so a refused change leaves DNS as it was.
#include "dane/publishers/publishers.h"
#include "dane/tlsa_dns.h"
#include "engine/dns_update.h"

namespace xmppcert {
namespace {

class Rfc2136TlsaPublisher : public TlsaPublisher {
 public:
  Rfc2136TlsaPublisher(const DaneSettings& s, const CommandRunner& commands)
      : target_{s.server, s.port, s.key_file, s.zone}, commands_(commands) {}
  void change(const std::vector<std::string>& owners, const std::vector<std::string>& add,
              const std::vector<std::string>& remove, std::chrono::seconds ttl) override {
    require_tlsa_change(owners, add, remove);
    std::vector<std::string> lines;
    for (const auto& owner : owners) {
      for (const auto& hash : remove)
        lines.push_back("update delete " + owner + " TLSA 3 1 1 " + hash);
      for (const auto& hash : add)
        lines.push_back("update add " + owner + " " + std::to_string(ttl.count()) + " TLSA 3 1 1 " +
                        hash);
    }
    send_dns_update(target_, lines, commands_);
  }

 private:
  DnsUpdateTarget target_;
  const CommandRunner& commands_;
};

}  // namespace

std::unique_ptr<TlsaPublisher> make_rfc2136_publisher(const DaneSettings& settings,
                                                      const std::string&,
                                                      const CommandRunner& commands) {
  return std::make_unique<Rfc2136TlsaPublisher>(settings, commands);
}

}  // namespace xmppcert
