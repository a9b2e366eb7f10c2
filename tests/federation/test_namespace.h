// The federation tests run in network and mount namespaces of their own: only a loopback
// interface (so the servers can listen on 127.0.0.2:5269 and 127.0.0.3:5269, where peers
// look without SRV records), and /etc/hosts and /etc/resolv.conf replaced by the test's
// own (a.example.test -> 127.0.0.2, b.example.test -> 127.0.0.3; DNS at 127.0.0.1:53).
// Nothing outside the namespace is reachable or changed.
#pragma once

#include <string>

namespace xmppcert::testing {

// Enters the namespaces (root only) and writes the files under `dir`; returns "" on
// success, else why not (the tests then skip with that reason).
std::string enter_federation_namespace(const std::string& dir);

// A federation test binary's main(): enters the namespaces (files in a temp dir kept for the
// run) unless gtest only lists the tests, stores "" or why not in `problem`, runs the tests.
int run_federation_tests(int argc, char** argv, std::string& problem);

}  // namespace xmppcert::testing
