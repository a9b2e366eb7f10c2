#include "tests/integration/bind_server.h"

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {

bool BindServer::available() { return ::access("/usr/sbin/named", X_OK) == 0; }

std::string tsig_key_text(const std::string& secret) {
  return "key \"xmppcert-test\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + secret + "\";\n};\n";
}

BindServer::BindServer(const BindOptions& options)
    : port_(options.port ? options.port : free_port()), zone_(options.zone) {
  std::filesystem::path d = dir_ / "named";
  std::filesystem::create_directories(d);
  if (::geteuid() == 0) (void)!::chown(d.c_str(), 65534, 65534);  // nobody:nogroup
  std::filesystem::path zone_file = d / (zone_ + ".zone");
  std::string signing =
      options.dnssec ? " dnssec-policy default; key-directory \"" + d.string() + "\";" : "";
  std::string allow_update;
  std::string also = options.also_listen_on.empty() ? "" : " " + options.also_listen_on + ";";
  if (!options.tsig_secret.empty())
    allow_update = " allow-update { key xmppcert-test; };";
  else if (options.allow_update)
    allow_update = " allow-update { 127.0.0.1; };";
  write_text(d / "named.conf",
             (options.tsig_secret.empty() ? "" : tsig_key_text(options.tsig_secret)) +
                 "options { directory \"" + d.string() + "\"; listen-on port " +
                 std::to_string(port_) + " { 127.0.0.1;" + also +
                 " }; listen-on-v6 { none; }; pid-file \"" + d.string() +
                 "/named.pid\"; session-keyfile \"" + d.string() +
                 "/session.key\"; recursion no; dnssec-validation no; };\n"
                 "zone \"" +
                 zone_ + "\" { type primary; file \"" + zone_file.string() + "\";" + allow_update +
                 signing + " };\n");
  write_text(zone_file, "$TTL 60\n@ IN SOA ns." + zone_ + ". admin." + zone_ +
                            ". 1 60 60 600 60\n@ IN NS ns." + zone_ + ".\nns IN A 127.0.0.1\n" +
                            options.records);
  if (::geteuid() == 0) (void)!::chown(zone_file.c_str(), 65534, 65534);
  pid_ =
      spawn_unprivileged({"named", "-g", "-c", (d / "named.conf").string()}, {}, d / "named.log");
  wait_for_port(port_, "named", pid_);
}

std::string BindServer::trust_anchor() const {
  std::string anchor;
  // named answers DNSKEY once it has signed the zone, a moment after it listens.
  eventually([&] { return !(anchor = signed_zone_key()).empty(); }, std::chrono::seconds(10),
             std::chrono::milliseconds(200));
  if (!anchor.empty()) return anchor;
  throw std::runtime_error("no key-signing DNSKEY for " + zone_ +
                           " at 127.0.0.1:" + std::to_string(port_));
}

// The zone's key-signing DNSKEY as a trust anchor line, or "" while named has none.
std::string BindServer::signed_zone_key() const {
  {
    ProcessResult r = run_process(
        {"dig", "+short", "-p", std::to_string(port_), "@127.0.0.1", zone_ + ".", "DNSKEY"});
    std::istringstream lines(r.out);
    std::string flags, protocol, algorithm, part;
    while (lines >> flags >> protocol >> algorithm) {
      std::string key, rest;
      std::getline(lines, rest);
      std::istringstream parts(rest);
      while (parts >> part) key += part;
      if (flags == "257") return zone_ + ". DNSKEY 257 " + protocol + " " + algorithm + " " + key;
    }
  }
  return "";
}

BindServer::~BindServer() { stop_process(pid_); }

}  // namespace xmppcert::testing
