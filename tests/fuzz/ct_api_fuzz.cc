// The transparency log's v1 API (ca/log/ct_api.cc) as anyone on the network reaches it: a
// path, a query string and a body against a log of a few entries in a real SQLite database.
// Input: "PATH\n--8<--\nQUERY\n--8<--\nBODY"; POST when the body is not empty. Every
// answer must be 200, 400 or 404: a 500 is an exception the API let through.
#include "ca/ca_keys.h"
#include "ca/log/transparency_log.h"
#include "ca/sa/sqlite_storage.h"
#include "engine/fs.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace xmppcert;

struct Log {
  ca::IssuingCa issuing;
  std::unique_ptr<ca::Storage> storage;
  std::unique_ptr<ca::TransparencyLog> log;
  Log() {
    auto dir = fuzz::scratch_dir() / "ca";
    ca::init_ca({dir, "127.0.0.1", {}});
    issuing = ca::load_issuing_ca(dir);
    storage = std::make_unique<ca::SqliteStorage>(dir / "ca.db");
    log = std::make_unique<ca::TransparencyLog>(dir, *storage, issuing);
    std::string leaf = read_file(ca::https_cert_path(dir));
    for (int i = 0; i < 5; ++i)
      storage->transaction([&] { log->append_issued(leaf, "0" + std::to_string(i)); });
    log->refresh_tree_head();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Log log;
  auto parts = fuzz::split_parts(data, size, 3);
  ca::WebRequest request;
  request.method = parts[2].empty() ? "GET" : "POST";
  request.target = "/ct/v1/" + parts[0];
  request.query = parts[1];
  request.body = parts[2];
  ca::WebResponse response = log.log->handle(request);
  if (response.status != 200 && response.status != 400 && response.status != 404) __builtin_trap();
  return 0;
}
