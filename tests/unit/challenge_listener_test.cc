// Issue 12 #9: the challenge responders served one connection at a time with only a per-read
// timeout: a client sending a byte every few seconds held the run (and the state lock).
#include "plugins/issuers/acme/challenge_listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "plugins/issuers/acme/challenges.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

using Clock = std::chrono::steady_clock;

int free_port() {
  int port = 0;
  ::close(listen_on_loopback(port));
  return port;
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

std::string get(int port, const std::string& path) {
  int fd = connect_to(port);
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  (void)!::write(fd, request.data(), request.size());
  std::string response;
  char buffer[1024];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) response.append(buffer, n);
  ::close(fd);
  return response;
}

TEST(ChallengeListener, IdleClientsDoNotDelayTheValidator) {
  int port = free_port();
  acme::Http01Responder responder("127.0.0.1", port);
  responder.present("example.org", "tok", "tok.thumb");
  std::vector<int> idle;
  for (int i = 0; i < 5; ++i) idle.push_back(connect_to(port));  // they send nothing
  auto start = Clock::now();
  std::string response = get(port, "/.well-known/acme-challenge/tok");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  EXPECT_NE(response.find("tok.thumb"), std::string::npos);
  for (int fd : idle) ::close(fd);
}

TEST(ChallengeListener, ASlowClientIsCutOffAtTheConnectionDeadline) {
  int port = free_port();
  std::atomic<int> bytes{0};
  acme::ChallengeListener listener("test", "127.0.0.1", port, [&](int client) {
    char c;
    while (::read(client, &c, 1) == 1) ++bytes;  // a handler that reads as long as it is fed
  });
  int fd = connect_to(port);
  auto start = Clock::now();
  bool cut = false;
  while (Clock::now() - start < std::chrono::seconds(15)) {
    if (::send(fd, "x", 1, MSG_NOSIGNAL) != 1) {
      cut = true;
      break;
    }
    // A slow client's pace, under the listener's read timeout (the point of the test).
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ::close(fd);
  EXPECT_TRUE(cut) << "the connection must not outlive its deadline";
  EXPECT_LT(Clock::now() - start,
            acme::ChallengeListener::kConnectionDeadline + std::chrono::seconds(3));
}

TEST(ChallengeListener, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  int port = free_port();
  std::atomic<int> serving{0};
  acme::ChallengeListener listener("test", "127.0.0.1", port, [&](int client) {
    ++serving;
    char c;
    while (::read(client, &c, 1) == 1) {
    }
  });
  std::vector<int> held;
  for (int i = 0; i < acme::ChallengeListener::kMaxConnections; ++i)
    held.push_back(connect_to(port));
  // The listener accepts on its own thread: the connection beyond the limit comes once it
  // serves all the others.
  ASSERT_TRUE(eventually(
      [&] { return serving.load() == acme::ChallengeListener::kMaxConnections; },
      std::chrono::seconds(5), std::chrono::milliseconds(10)));
  int extra = connect_to(port);
  timeval timeout{2, 0};
  ::setsockopt(extra, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char c;
  EXPECT_EQ(::read(extra, &c, 1), 0) << "closed, not left waiting";
  ::close(extra);
  for (int fd : held) ::close(fd);
}

}  // namespace
}  // namespace xmppcert::testing
