#include "ca/wfe/connection_limits.h"

#include <algorithm>

namespace xmppcert::ca {
namespace {

// The address a cap counts against: IPv4 as is, IPv6 by its /64 (one host's whole prefix).
std::string cap_key(const boost::asio::ip::address& client) {
  if (client.is_v6()) {
    auto v6 = client.to_v6();
    if (v6.is_v4_mapped())
      return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
    auto bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return boost::asio::ip::address_v6(bytes).to_string() + "/64";
  }
  return client.to_string();
}

}  // namespace

ConnectionCaps connection_caps_for_fd_limit(ConnectionCaps wanted, long fd_limit) {
  long reserve = std::max(64L, fd_limit / 4);
  long room = std::max(1L, fd_limit - reserve);
  ConnectionCaps caps;
  caps.total = static_cast<int>(wanted.total > 0 ? std::min<long>(wanted.total, room)
                                                 : std::min<long>(room, 16384));
  caps.per_address = std::max(1, wanted.per_address > 0 ? std::min(wanted.per_address, caps.total)
                                                        : std::min(64, caps.total / 4));
  return caps;
}

std::unique_ptr<ConnectionLimits::Slot> ConnectionLimits::admit(
    const boost::asio::ip::address& client) {
  std::string key = cap_key(client);
  std::lock_guard guard(mutex_);
  int& mine = per_address_[key];
  if (total_ >= caps_.total || mine >= caps_.per_address) {
    if (mine == 0) per_address_.erase(key);
    return nullptr;
  }
  ++total_;
  ++mine;
  return std::make_unique<Slot>(*this, std::move(key));
}

void ConnectionLimits::release(const std::string& key) {
  std::lock_guard guard(mutex_);
  --total_;
  if (auto found = per_address_.find(key); found != per_address_.end() && --found->second <= 0)
    per_address_.erase(found);
}

}  // namespace xmppcert::ca
