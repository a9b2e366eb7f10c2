#include "tests/federation/virtual_network.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <vector>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

constexpr const char* kBridge = "fed0";

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("virtual network: " + what + ": " + ::strerror(errno));
}

void ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = run_process(argv);
  if (r.exit_code != 0) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    throw std::runtime_error("virtual network: " + line + "failed: " + r.err);
  }
}

int current_namespace() {
  int fd = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open /proc/thread-self/ns/net");
  return fd;
}

// The processes whose network namespace is the one `fd` holds.
std::vector<pid_t> processes_in(int fd) {
  struct stat ns {};
  std::vector<pid_t> found;
  if (::fstat(fd, &ns) != 0) return found;
  DIR* proc = ::opendir("/proc");
  if (!proc) return found;
  while (dirent* entry = ::readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    struct stat theirs {};
    std::string path = "/proc/" + std::string(entry->d_name) + "/ns/net";
    if (pid > 0 && pid != ::getpid() && ::stat(path.c_str(), &theirs) == 0 &&
        theirs.st_ino == ns.st_ino && theirs.st_dev == ns.st_dev)
      found.push_back(pid);
  }
  ::closedir(proc);
  return found;
}

}  // namespace

VirtualHost::VirtualHost(const std::string& name, const std::string& address,
                         const std::string& bridge)
    : name_(name), address_(address) {
  int previous = current_namespace();
  if (::unshare(CLONE_NEWNET) != 0) {
    ::close(previous);
    fail("unshare a network namespace for " + name);
  }
  fd_ = current_namespace();
  if (::setns(previous, CLONE_NEWNET) != 0) fail("return from " + name + "'s namespace");
  ::close(previous);
  try {
    // The pair: "v-NAME" on the bridge here, "eth0" on the host.
    std::string outside = "v-" + name;
    ip({"link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns",
        "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(fd_)});
    ip({"link", "set", outside, "master", bridge, "up"});
    OnHost on(*this);
    ip({"link", "set", "lo", "up"});
    ip({"addr", "add", address + "/24", "dev", "eth0"});
    ip({"link", "set", "eth0", "up"});
    // On this host only: servers running as their own users may bind ports below 1024 (BIND
    // on 53 as nobody), as their packages arrange with capabilities on a real one.
    std::ofstream("/proc/sys/net/ipv4/ip_unprivileged_port_start") << "0\n";
  } catch (...) {
    ::close(fd_);  // no process is in the namespace yet: it goes, and its interfaces with it
    throw;
  }
}

VirtualHost::~VirtualHost() {
  if (fd_ < 0) return;
  // Killed until none is left: they are reaped by whoever started them (or init).
  eventually(
      [&] {
        std::vector<pid_t> left = processes_in(fd_);
        for (pid_t pid : left) ::kill(pid, SIGKILL);
        return left.empty();
      },
      std::chrono::seconds(5));
  ::close(fd_);
}

OnHost::OnHost(const VirtualHost& host) : previous_(current_namespace()) {
  if (::setns(host.fd(), CLONE_NEWNET) != 0) {
    ::close(previous_);
    fail("enter " + host.name() + "'s namespace");
  }
}

OnHost::~OnHost() {
  (void)::setns(previous_, CLONE_NEWNET);
  ::close(previous_);
}

VirtualNetwork::VirtualNetwork() {
  ip({"link", "add", kBridge, "type", "bridge"});
  ip({"link", "set", kBridge, "up"});
}

VirtualNetwork::~VirtualNetwork() {
  hosts_.clear();
  run_process({"ip", "link", "del", kBridge});
}

VirtualHost& VirtualNetwork::add_host(const std::string& name, const std::string& address) {
  auto host = std::make_unique<VirtualHost>(name, address, kBridge);
  return *hosts_.emplace(name, std::move(host)).first->second;
}

}  // namespace xmppcert::testing
