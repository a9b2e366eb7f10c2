// Fills a state dir with N certificates issued by the local CA, in-process (forking the CLI
// N times would measure process start-up, not the store). Used by bench/status_10k.sh.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "dane/dane_sections.h"
#include "engine/enroll.h"
#include "engine/log.h"
#include "plugins/issuers/local/local_ca.h"
#include "plugins/registry.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_make_state STATE_DIR COUNT\n");
    return 2;
  }
  using namespace xmppcert;
  declare_issuer_settings_to_engine();  // records are written as xmppcert writes them
  declare_dane_sections_to_engine();
  std::filesystem::path state_dir = argv[1];
  int count = std::atoi(argv[2]);
  set_log_sink([](const std::string&) {});
  StateDirStore store(state_dir);
  LocalCa ca(LocalCa::dir_in(state_dir));
  for (int i = 0; i < count; ++i) {
    CertificateRequest request;
    request.name = "host" + std::to_string(i) + ".example.test";
    request.domains = {request.name};
    request.components = {"conference", "upload"};
    enroll_certificate(store, request, ca, nullptr, std::time(nullptr));
  }
  return 0;
}
