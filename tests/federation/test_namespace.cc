#include "tests/federation/test_namespace.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

std::string failed(const std::string& what) { return what + ": " + ::strerror(errno); }

bool write(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

std::string enter_federation_namespace(const std::string& dir, const NamespaceNames& names) {
  if (::geteuid() != 0) return "needs root to create a network namespace";
  if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) return failed("unshare");
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return failed("make mounts private");
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq request{};
  ::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool up = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags |= IFF_UP;
  up = up && ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  std::string problem = up ? "" : failed("bring lo up");
  ::close(fd);
  if (!up) return problem;
  // In this namespace only: the DNS server may bind port 53 as an unprivileged user.
  if (!write("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0\n"))
    return "cannot lower ip_unprivileged_port_start";
  std::string hosts = dir + "/hosts", resolv = dir + "/resolv.conf";
  if (!write(hosts, names.hosts) || !write(resolv, "nameserver " + names.nameserver + "\n"))
    return "cannot write " + dir;
  ::chmod(hosts.c_str(), 0644);
  ::chmod(resolv.c_str(), 0644);
  if (::mount(hosts.c_str(), "/etc/hosts", nullptr, MS_BIND, nullptr) != 0)
    return failed("bind-mount /etc/hosts");
  if (std::filesystem::exists("/etc/resolv.conf") &&
      ::mount(resolv.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0)
    return failed("bind-mount /etc/resolv.conf");
  return "";
}

int run_federation_tests(int argc, char** argv, std::string& problem, const NamespaceNames& names) {
  ::testing::InitGoogleTest(&argc, argv);
  if (!::testing::GTEST_FLAG(list_tests)) {
    static TempDir files;
    problem = enter_federation_namespace(files.path().string(), names);
  }
  return RUN_ALL_TESTS();
}

}  // namespace xmppcert::testing
