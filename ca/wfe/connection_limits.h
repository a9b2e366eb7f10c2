// How many HTTPS connections the CA holds at once: in all (below the descriptor limit, so
// accept() keeps working for the validations, the database and the log), and per client
// address (an IPv6 client by its /64), so that one host's idle or slow connections cannot
// take every slot. A connection over a limit is closed as soon as it is accepted.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace xmppcert::ca {

struct ConnectionCaps {
  int total = 0;        // 0: from the descriptor limit (connection_caps_for_fd_limit)
  int per_address = 0;  // 0: 64, and at most a quarter of total
};

// `wanted` with its zeros filled in for a process allowed `fd_limit` descriptors: a quarter
// of them (at least 64) stay free for everything that is not a client connection.
ConnectionCaps connection_caps_for_fd_limit(ConnectionCaps wanted, long fd_limit);

class ConnectionLimits {
 public:
  explicit ConnectionLimits(ConnectionCaps caps) : caps_(caps) {}

  // Held by a session for its lifetime; releases its slot when destroyed.
  class Slot {
   public:
    Slot(ConnectionLimits& limits, std::string key) : limits_(limits), key_(std::move(key)) {}
    ~Slot() { limits_.release(key_); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    ConnectionLimits& limits_;
    std::string key_;
  };

  // A slot, or nullptr when the total or this address's cap is reached.
  std::unique_ptr<Slot> admit(const boost::asio::ip::address& client);
  const ConnectionCaps& caps() const { return caps_; }

 private:
  void release(const std::string& key);
  ConnectionCaps caps_;
  std::mutex mutex_;
  int total_ = 0;
  std::map<std::string, int> per_address_;
};

}  // namespace xmppcert::ca
