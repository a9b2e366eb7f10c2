#include "tests/integration/bind_server.h"

#include <unistd.h>

#include <filesystem>

#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {

bool BindServer::available() { return ::access("/usr/sbin/named", X_OK) == 0; }

std::string tsig_key_text(const std::string& secret) {
  return "key \"xmppcert-test\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + secret + "\";\n};\n";
}

BindServer::BindServer(const BindOptions& options)
    : port_(options.port ? options.port : free_port()) {
  std::filesystem::path d = dir_ / "named";
  std::filesystem::create_directories(d);
  if (::geteuid() == 0) (void)!::chown(d.c_str(), 65534, 65534);  // nobody:nogroup
  std::string allow_update;
  if (!options.tsig_secret.empty())
    allow_update = " allow-update { key xmppcert-test; };";
  else if (options.allow_update)
    allow_update = " allow-update { 127.0.0.1; };";
  write_text(d / "named.conf",
             (options.tsig_secret.empty() ? "" : tsig_key_text(options.tsig_secret)) +
                 "options { directory \"" + d.string() + "\"; listen-on port " +
                 std::to_string(port_) + " { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"" +
                 d.string() + "/named.pid\"; session-keyfile \"" + d.string() +
                 "/session.key\"; recursion no; dnssec-validation no; };\n"
                 "zone \"example.test\" { type primary; file \"" +
                 (d / "example.test.zone").string() + "\";" + allow_update + " };\n");
  write_text(d / "example.test.zone",
             "$TTL 60\n@ IN SOA ns.example.test. admin.example.test. 1 60 60 600 60\n"
             "@ IN NS ns.example.test.\nns IN A 127.0.0.1\n" +
                 options.records);
  if (::geteuid() == 0) (void)!::chown((d / "example.test.zone").c_str(), 65534, 65534);
  pid_ =
      spawn_unprivileged({"named", "-g", "-c", (d / "named.conf").string()}, {}, d / "named.log");
  wait_for_port(port_, "named", pid_);
}

BindServer::~BindServer() { stop_process(pid_); }

}  // namespace xmppcert::testing
