// What the interop tests share: running a Debian ACME client with extra environment, the
// serial of the certificate it obtained, and the CA's CRL as `openssl crl -text` prints it.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/ca/ca_fixture.h"

namespace xmppcert::testing {

using Environment = std::vector<std::pair<std::string, std::string>>;

bool installed(const char* path);
ProcessResult run_with_env(const Environment& env, std::vector<std::string> argv);
// Upper-case hex, as `openssl crl -text` prints it.
std::string serial_of(const std::filesystem::path& cert);
// GET https://127.0.0.1:PORT/crl from `ca`, as text (the DER is kept in `dir`).
std::string crl_text(const FoundationCa& ca, const TempDir& dir);
// `lego run` for `domain` with the solver flags, then `lego revoke`; expects both to succeed
// and the serial to be in the CRL afterwards. `directory`: the URL the client is given
// ("": the CA's own; a load balancer's in front of several instances).
void lego_obtains_and_revokes(const FoundationCa& ca, Environment env, const std::string& domain,
                              const std::vector<std::string>& solver,
                              const std::string& directory = "");
// `certbot certonly --standalone` (http-01) for `domain`, then `certbot revoke`; the same
// checks as lego's.
void certbot_obtains_and_revokes(const FoundationCa& ca, const std::string& domain,
                                 const std::string& directory = "");
// The first file named `name` under `root`; empty when there is none.
std::filesystem::path find_file(const std::filesystem::path& root, const std::string& name);

}  // namespace xmppcert::testing
