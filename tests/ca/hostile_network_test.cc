// A hostile network against the real xmppcert-ca (issue 24): idle connections by the
// hundred, a descriptor limit reached, validation targets that answer one byte at a time.
// The CA must keep answering everyone else.
// Backend: SQLite only: connections, descriptors and slow targets are the WFE's and the VA's
// bounds. Their storage parts run in process on both backends:
// Storage/CaStateMachine.AuthorizationDeactivatedDuringValidationStaysDeactivated, and on
// PostgreSQL across instances TwoInstances.AValidationRunningOnOneCountsAsFailedOnTheOther.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "tests/ca/raw_acme_client.h"

namespace xmppcert {
namespace {

using nlohmann::json;
using testing::FoundationCa;
using testing::RawAcmeClient;

// A TCP connection to 127.0.0.1:port from `source` (any 127/8 address); -1 on failure.
int connect_from(const char* source, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

// How many of `fds` the peer has closed (readable with nothing to read).
int closed_by_peer(const std::vector<int>& fds) {
  int closed = 0;
  for (int fd : fds) {
    pollfd p{fd, POLLIN, 0};
    char byte;
    if (::poll(&p, 1, 0) == 1 && ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) ++closed;
  }
  return closed;
}

// The tests' one wait for a condition, polled every 50 ms here.
bool wait_for(const std::function<bool()>& condition, std::chrono::seconds limit) {
  return testing::eventually(condition, limit, std::chrono::milliseconds(50));
}

void limit_descriptors(pid_t pid, rlim_t limit) {
  rlimit fds{limit, limit};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &fds, nullptr), 0) << errno_text(errno);
}

class HostileNetwork : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    ca_ = std::make_unique<FoundationCa>(options());
  }
  void TearDown() override {
    for (int fd : idle_) ::close(fd);
  }
  virtual testing::FoundationCaOptions options() { return {}; }
  std::unique_ptr<FoundationCa> ca_;
  std::vector<int> idle_;
};

TEST_F(HostileNetwork, TheCaKeepsAcceptingAfterRunningOutOfDescriptors) {
  limit_descriptors(ca_->pid(), 64);
  for (int i = 0; i < 100; ++i)
    if (int fd = connect_from("127.0.0.1", ca_->port()); fd >= 0) idle_.push_back(fd);
  ASSERT_TRUE(wait_for([&] { return ca_->log().find("accept on") != std::string::npos; },
                       std::chrono::seconds(10)))
      << "the CA never ran out of descriptors:\n"
      << ca_->log();
  for (int fd : idle_) ::close(fd);
  idle_.clear();
  RawAcmeClient client(*ca_);
  EXPECT_EQ(client.create_account().status, 201) << ca_->log();
}

class HostileNetworkCapped : public HostileNetwork {
 protected:
  testing::FoundationCaOptions options() override {
    testing::FoundationCaOptions o;
    o.config_json = R"({"max_connections_per_address": 8})";
    return o;
  }
};

TEST_F(HostileNetworkCapped, IdleConnectionsFromOneAddressDoNotLockOutOthers) {
  limit_descriptors(ca_->pid(), 64);
  for (int i = 0; i < 200; ++i)
    if (int fd = connect_from("127.0.0.2", ca_->port()); fd >= 0) idle_.push_back(fd);
  ASSERT_EQ(idle_.size(), 200u);
  // All but 8 are closed as soon as they are accepted, the 8 kept wait for their handshake.
  EXPECT_TRUE(wait_for([&] { return closed_by_peer(idle_) >= 192; }, std::chrono::seconds(8)))
      << closed_by_peer(idle_) << " closed\n"
      << ca_->log();
  RawAcmeClient client(*ca_);
  EXPECT_EQ(client.create_account().status, 201) << ca_->log();
  EXPECT_EQ(ca_->log().find("accept on"), std::string::npos) << ca_->log();
}

// Accepts TCP connections on a port and sends each one byte every 500 ms, for ever: a TLS
// server hello that never completes, and never times out on a per-read timer.
class Tarpit {
 public:
  explicit Tarpit(int port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0)
      throw std::runtime_error("tarpit: cannot listen on " + std::to_string(port));
    thread_ = std::thread([this] { run(); });
  }
  ~Tarpit() {
    stopping_ = true;
    thread_.join();
    for (int fd : clients_) ::close(fd);
    ::close(listener_);
  }
  int accepted() const { return accepted_; }

 private:
  void run() {
    while (!stopping_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 500) == 1) {
        int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) clients_.push_back(fd), sent_.push_back(0), ++accepted_;
      }
      // A TLS record header announcing 16 KiB of handshake, then its body byte by byte.
      static const char kHeader[] = "\x16\x03\x03\x40\x00";
      for (size_t i = 0; i < clients_.size(); ++i) {
        char byte = sent_[i] < 5 ? kHeader[sent_[i]] : '\0';
        if (::send(clients_[i], &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) ++sent_[i];
      }
    }
  }
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> clients_;
  std::vector<size_t> sent_;
  std::thread thread_;
};

class HostileValidationTargets : public HostileNetwork {
 protected:
  testing::FoundationCaOptions options() override {
    testing::FoundationCaOptions o;
    o.config_json = R"({"validation_timeout": "3s"})";
    return o;
  }
  // Starts `type` on a new order for `domain`; returns the authorization URL.
  static std::string start_challenge(RawAcmeClient& client, const std::string& domain,
                                     const std::string& type) {
    json order = client.post_json(client.endpoint("newOrder"),
                                  {{"identifiers", {{{"type", "dns"}, {"value", domain}}}}});
    std::string authz_url = order["authorizations"][0];
    json authz = client.get_json(authz_url);
    for (const auto& c : authz["challenges"])
      if (c["type"] == type) client.post_json(c["url"], json::object());
    return authz_url;
  }
};

TEST_F(HostileValidationTargets,
       OneAccountsTarpitTargetsNeitherHoldTheValidatorsNorOutliveTheDeadline) {
  Tarpit tarpit(ca_->tls_alpn01_port());
  RawAcmeClient attacker(*ca_);
  ASSERT_EQ(attacker.create_account().status, 201);
  std::vector<std::string> held;
  for (int i = 0; i < 10; ++i)
    held.push_back(
        start_challenge(attacker, "tarpit" + std::to_string(i) + ".example.test", "tls-alpn-01"));
  ASSERT_TRUE(wait_for([&] { return tarpit.accepted() >= 1; }, std::chrono::seconds(10)))
      << attacker.get_json(held[0]).dump() << "\n"
      << ca_->log();

  // Meanwhile another customer's http-01 validation is done at once.
  RawAcmeClient honest(*ca_);
  ASSERT_EQ(honest.create_account().status, 201);
  auto started = std::chrono::steady_clock::now();
  json order = testing::validated_order(honest, *ca_, "honest.example.test");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3))
      << "the honest validation waited behind the tarpits";

  // Each tarpit validation fails at its 3 s deadline; the account's 10 ran two at a time.
  for (const auto& authz_url : held) {
    json authz;
    EXPECT_TRUE(wait_for(
        [&] {
          authz = attacker.get_json(authz_url);
          return authz["status"] != "pending";
        },
        std::chrono::seconds(40)))
        << authz.dump();
    EXPECT_EQ(authz["status"], "invalid") << authz.dump();
    EXPECT_NE(authz.dump().find("deadline"), std::string::npos) << authz.dump();
  }
  EXPECT_LE(tarpit.accepted(), 10);
}

class FailedValidationLimit : public HostileValidationTargets {
 protected:
  testing::FoundationCaOptions options() override {
    testing::FoundationCaOptions o;
    o.config_json =
        R"({"validation_timeout": "3s", "rate_limits": {"failed_validations_per_account_per_hour": 3}})";
    return o;
  }
};

TEST_F(FailedValidationLimit, ValidationsStillRunningCountAgainstTheFailureLimit) {
  Tarpit tarpit(ca_->tls_alpn01_port());
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  int accepted = 0, limited = 0;
  for (int i = 0; i < 6; ++i) {
    json order = client.post_json(
        client.endpoint("newOrder"),
        {{"identifiers",
          {{{"type", "dns"}, {"value", "f" + std::to_string(i) + ".example.test"}}}}});
    json authz = client.get_json(order["authorizations"][0]);
    for (const auto& c : authz["challenges"])
      if (c["type"] == "tls-alpn-01") {
        HttpResponse r = client.post(c["url"], "{}");
        (r.status == 429 ? limited : accepted) += 1;
      }
  }
  EXPECT_EQ(accepted, 3);
  EXPECT_EQ(limited, 3);
}

TEST_F(HostileValidationTargets, AnAuthorizationDeactivatedDuringItsValidationStaysDeactivated) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  json order =
      client.post_json(client.endpoint("newOrder"),
                       {{"identifiers", {{{"type", "dns"}, {"value", "d.example.test"}}}}});
  std::string authz_url = order["authorizations"][0];
  json authz = client.get_json(authz_url);
  json challenge;
  for (const auto& c : authz["challenges"])
    if (c["type"] == "http-01") challenge = c;
  std::string key_authorization =
      challenge["token"].get<std::string>() + "." + jose::jwk_thumbprint(client.key());
  std::atomic<bool> asked{false}, answer{false};
  acme::ChallengeListener slow("http-01", "127.0.0.1", ca_->http01_port(), [&](int fd) {
    asked = true;
    wait_for([&] { return answer.load(); }, std::chrono::seconds(3));
    std::string response =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(key_authorization.size()) +
        "\r\nConnection: close\r\n\r\n" + key_authorization;
    (void)::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  });
  client.post_json(challenge["url"], json::object());
  ASSERT_TRUE(wait_for([&] { return asked.load(); }, std::chrono::seconds(5)));
  EXPECT_EQ(client.post_json(authz_url, {{"status", "deactivated"}})["status"], "deactivated");
  answer = true;
  // Once the validation has written its outcome, the authorization is still deactivated.
  EXPECT_TRUE(wait_for(
      [&] {
        authz = client.get_json(authz_url);
        for (const auto& c : authz["challenges"])
          if (c["type"] == "http-01") return c["status"] != "processing";
        return false;
      },
      std::chrono::seconds(5)))
      << authz.dump();
  EXPECT_EQ(authz["status"], "deactivated") << authz.dump();
}

class ValidationOfPrivateTargets : public HostileValidationTargets {
 protected:
  testing::FoundationCaOptions options() override {
    testing::FoundationCaOptions o;
    o.config_json = R"({"validation_networks": []})";
    o.bind_records = "private IN A 10.255.255.1\n* IN A 127.0.0.1\n";
    return o;
  }
};

TEST_F(ValidationOfPrivateTargets, LoopbackAndPrivateTargetsAreRefusedWithoutAConnection) {
  std::atomic<int> requests{0};
  acme::ChallengeListener listener("http-01", "127.0.0.1", ca_->http01_port(), [&](int client) {
    ++requests;
    const char kAnswer[] = "HTTP/1.1 418 secret-internal-banner\r\nContent-Length: 0\r\n\r\n";
    (void)::send(client, kAnswer, sizeof kAnswer - 1, MSG_NOSIGNAL);
  });
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  for (const char* domain : {"loop.example.test", "private.example.test"}) {
    std::string authz_url = start_challenge(client, domain, "http-01");
    json authz;
    ASSERT_TRUE(wait_for(
        [&] {
          authz = client.get_json(authz_url);
          return authz["status"] != "pending";
        },
        std::chrono::seconds(15)));
    std::string text = authz.dump();
    EXPECT_EQ(authz["status"], "invalid") << text;
    EXPECT_NE(text.find("not global unicast"), std::string::npos) << text;
    EXPECT_EQ(text.find("418"), std::string::npos) << text;
    EXPECT_EQ(text.find("secret"), std::string::npos) << text;
  }
  EXPECT_EQ(requests, 0);
}

}  // namespace
}  // namespace xmppcert
