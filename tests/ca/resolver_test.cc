// The CA's DNS lookups (ca/va/resolver.h) against a DNS server on loopback that this test
// runs: it answers some names at once and never answers others. Issue 24 item 4: lookups were
// serialized behind one mutex, so three unanswered names held a victim's lookup for their
// whole deadlines (38 s, then SERVFAIL). Each lookup now ends by its own deadline and no one
// waits behind another's.
// Backend: none (no database).
#include "ca/va/resolver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/errors.h"
#include "tests/unit/test_support.h"

namespace xmppcert::ca {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A DNS server on 127.0.0.1 (UDP): names whose first label starts with "silent" are never
// answered; every other A query gets 127.0.0.1, AAAA and the rest an empty NOERROR.
class LoopbackDns {
 public:
  LoopbackDns() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0)
      throw std::runtime_error("LoopbackDns: no UDP socket on 127.0.0.1");
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackDns() {
    stopping_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // How many different unanswered names were asked for (unbound resends each a few times).
  size_t silent_names() const {
    std::lock_guard guard(mutex_);
    return silent_names_.size();
  }

 private:
  void serve() {
    while (!stopping_) {
      pollfd readable{fd_, POLLIN, 0};
      if (::poll(&readable, 1, 50) <= 0) continue;  // 50 ms: how soon the destructor is seen
      unsigned char query[512];
      sockaddr_in from{};
      socklen_t from_size = sizeof from;
      ssize_t size =
          ::recvfrom(fd_, query, sizeof query, 0, reinterpret_cast<sockaddr*>(&from), &from_size);
      if (size < 17) continue;
      size_t end = 12;  // the question's name: labels up to the root
      while (end < static_cast<size_t>(size) && query[end] != 0) end += query[end] + 1;
      if (end + 5 > static_cast<size_t>(size)) continue;
      std::string first_label(reinterpret_cast<char*>(query + 13), query[12]);
      if (first_label.rfind("silent", 0) == 0) {
        std::lock_guard guard(mutex_);
        silent_names_.insert(first_label);
        continue;
      }
      int type = query[end + 1] << 8 | query[end + 2];
      std::vector<unsigned char> reply(query, query + end + 5);  // header and question
      reply[2] = 0x81;                                           // QR, RD
      reply[3] = 0x80;                                           // RA, NOERROR
      reply[6] = reply[7] = reply[8] = reply[9] = reply[10] = reply[11] = 0;
      if (type == 1) {
        reply[7] = 1;  // one answer: the question's name, A, IN, TTL 60, 127.0.0.1
        for (int byte : {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1})
          reply.push_back(static_cast<unsigned char>(byte));
      }
      ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), from_size);
    }
  }

  int fd_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::set<std::string> silent_names_;
  std::thread thread_;
};

TEST(Resolver, ThreeUnansweredLookupsNeitherDelayNorFailAnotherNamesLookup) {
  LoopbackDns dns;
  Resolver resolver(dns.address());
  const auto unanswered_deadline = milliseconds(4000);
  std::vector<std::future<milliseconds>> silent;
  for (int i = 0; i < 3; ++i)
    silent.push_back(std::async(std::launch::async, [&, i] {
      auto start = steady_clock::now();
      EXPECT_THROW(resolver.addresses("silent" + std::to_string(i) + ".example.test",
                                      start + unanswered_deadline),
                   OperationError);
      return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
    }));
  ASSERT_TRUE(testing::eventually([&] { return dns.silent_names() == 3; }, milliseconds(2000)))
      << "the unanswered lookups never reached the DNS server";

  auto start = steady_clock::now();
  std::vector<std::string> victim =
      resolver.addresses("victim.example.test", start + milliseconds(3000));
  auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  EXPECT_EQ(victim, std::vector<std::string>{"127.0.0.1"});
  EXPECT_LT(took.count(), 1000) << "the victim waited behind the unanswered lookups";

  for (auto& lookup : silent) {
    milliseconds waited = lookup.get();
    EXPECT_GE(waited.count(), unanswered_deadline.count() - 50);
    EXPECT_LT(waited.count(), unanswered_deadline.count() + 1500) << "past its own deadline";
  }
}

}  // namespace
}  // namespace xmppcert::ca
