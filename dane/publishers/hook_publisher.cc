// The admin's own program publishes (a DNS provider's API, a zone file and a signer): it gets
// the change in XMPPCERT_TLSA_* variables, one run per change; a non-zero exit is a failed
// change, retried at the next step.
#include "dane/publishers/publishers.h"
#include "dane/tlsa_dns.h"

namespace xmppcert {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

class HookTlsaPublisher : public TlsaPublisher {
 public:
  HookTlsaPublisher(std::vector<std::string> argv, const CommandRunner& commands)
      : argv_(std::move(argv)), commands_(commands) {}
  void change(const std::vector<std::string>& owners, const std::vector<std::string>& add,
              const std::vector<std::string>& remove, std::chrono::seconds ttl) override {
    require_tlsa_change(owners, add, remove);
    commands_.run_checked(
        argv_, "TLSA hook", "",
        {"XMPPCERT_TLSA_OWNERS=" + joined(owners), "XMPPCERT_TLSA_ADD=" + joined(add),
         "XMPPCERT_TLSA_REMOVE=" + joined(remove),
         "XMPPCERT_TLSA_TTL=" + std::to_string(ttl.count())});
  }

 private:
  std::vector<std::string> argv_;
  const CommandRunner& commands_;
};

}  // namespace

std::unique_ptr<TlsaPublisher> make_hook_publisher(const DaneSettings& settings, const std::string&,
                                                   const CommandRunner& commands) {
  return std::make_unique<HookTlsaPublisher>(settings.hook, commands);
}

}  // namespace xmppcert
