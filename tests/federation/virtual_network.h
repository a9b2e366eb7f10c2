// Hosts on a virtual network, for tests that federate across hosts. Each host is a network
// namespace of its own, anonymous (held by a file descriptor, so there is no name to clash
// with a parallel run and nothing in /run/netns to leave behind), linked by a veth pair to a
// bridge in the caller's namespace, with one address in 192.0.2.0/24 (TEST-NET-1, routed
// nowhere). Code runs "on" a host inside an OnHost scope: the calling thread enters the
// host's namespace, and what it forks (servers, xmppcert, agents) and the sockets it opens
// belong to that host. Mounts are the caller's: every host reads the same /etc/hosts.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace xmppcert::testing {

class VirtualHost {
 public:
  // A new namespace with lo up and eth0 (`address`/24) linked to `bridge`; throws
  // std::runtime_error naming the step that failed.
  VirtualHost(const std::string& name, const std::string& address, const std::string& bridge);
  // SIGKILL to every process still in the namespace (only this test's can be), then closes it:
  // the namespace, its interfaces and the veth pair go with its last process.
  ~VirtualHost();
  VirtualHost(const VirtualHost&) = delete;
  VirtualHost& operator=(const VirtualHost&) = delete;

  const std::string& name() const { return name_; }
  const std::string& address() const { return address_; }
  int fd() const { return fd_; }

 private:
  std::string name_;
  std::string address_;
  int fd_ = -1;
};

// The calling thread on `host` until the scope ends (then back where it was).
class OnHost {
 public:
  explicit OnHost(const VirtualHost& host);
  ~OnHost();
  OnHost(const OnHost&) = delete;
  OnHost& operator=(const OnHost&) = delete;

 private:
  int previous_ = -1;
};

// A bridge in the caller's namespace and the hosts linked to it (root only).
class VirtualNetwork {
 public:
  VirtualNetwork();
  ~VirtualNetwork();  // the hosts first, then the bridge
  // `address`: one in 192.0.2.0/24.
  VirtualHost& add_host(const std::string& name, const std::string& address);

 private:
  std::map<std::string, std::unique_ptr<VirtualHost>> hosts_;
};

}  // namespace xmppcert::testing
