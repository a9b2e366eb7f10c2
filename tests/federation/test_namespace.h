// The federation tests run in network and mount namespaces of their own: only a loopback
// interface (so the servers can listen on 127.0.0.2:5269 and 127.0.0.3:5269, where peers
// look without SRV records), and /etc/hosts and /etc/resolv.conf replaced by the test's
// own (a.example.test -> 127.0.0.2, b.example.test -> 127.0.0.3; DNS at 127.0.0.1:53; or
// what the test names: foundation_federation_test's hosts are namespaces of their own).
// Nothing outside the namespace is reachable or changed.
#pragma once

#include <string>

namespace xmppcert::testing {

// What /etc/hosts and /etc/resolv.conf say inside (the defaults: as above).
struct NamespaceNames {
  std::string hosts = "127.0.0.1 localhost\n127.0.0.2 a.example.test\n127.0.0.3 b.example.test\n";
  std::string nameserver = "127.0.0.1";
};

// Enters the namespaces (root only) and writes the files under `dir`; returns "" on
// success, else why not (the tests then skip with that reason).
std::string enter_federation_namespace(const std::string& dir, const NamespaceNames& names = {});

// A federation test binary's main(): enters the namespaces (files in a temp dir kept for the
// run) unless gtest only lists the tests, stores "" or why not in `problem`, runs the tests.
int run_federation_tests(int argc, char** argv, std::string& problem,
                         const NamespaceNames& names = {});

}  // namespace xmppcert::testing
