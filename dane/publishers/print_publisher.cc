// The admin publishes by hand: the records to add and remove, in zone-file form, in the log.
// The rollover still asks DNS, so the switch waits until the admin's records are visible.
#include "dane/publishers/publishers.h"
#include "dane/tlsa_dns.h"
#include "engine/log.h"

namespace xmppcert {
namespace {

class PrintTlsaPublisher : public TlsaPublisher {
 public:
  explicit PrintTlsaPublisher(std::string certificate) : certificate_(std::move(certificate)) {}
  void change(const std::vector<std::string>& owners, const std::vector<std::string>& add,
              const std::vector<std::string>& remove, std::chrono::seconds ttl) override {
    require_tlsa_change(owners, add, remove);
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

std::unique_ptr<TlsaPublisher> make_print_publisher(const DaneSettings&,
                                                    const std::string& certificate,
                                                    const CommandRunner&) {
  return std::make_unique<PrintTlsaPublisher>(certificate);
}

}  // namespace xmppcert
