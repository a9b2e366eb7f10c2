#include "tests/ca/softhsm_token.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace xmppcert::testing {
namespace {

constexpr char kPin[] = "4711-test";

}  // namespace

bool SoftHsmToken::available() {
  return ::access("/usr/bin/softhsm2-util", X_OK) == 0 && ::access(kModule, R_OK) == 0;
}

SoftHsmToken::SoftHsmToken() {
  std::filesystem::create_directories(dir_ / "tokens");
  write_text(dir_ / "softhsm2.conf", "directories.tokendir = " + (dir_ / "tokens").string() +
                                         "\nobjectstore.backend = file\nlog.level = ERROR\n");
  write_text(pin_file(), std::string(kPin) + "\n");
  ::chmod(pin_file().c_str(), 0600);
  ProcessResult made = run({"softhsm2-util", "--init-token", "--free", "--label", label(), "--pin",
                            kPin, "--so-pin", "so-4711-test"});
  if (made.exit_code != 0) throw std::runtime_error("softhsm2-util --init-token: " + made.err);
}

std::map<std::string, std::string> SoftHsmToken::environment() const {
  return {{"SOFTHSM2_CONF", (dir_ / "softhsm2.conf").string()}};
}

std::vector<std::string> SoftHsmToken::init_flags() const {
  return {"--pkcs11-module", kModule, "--pkcs11-token", label(), "--pkcs11-pin-file", pin_file()};
}

ProcessResult SoftHsmToken::run(std::vector<std::string> argv) const {
  std::vector<std::string> full{"env"};
  for (const auto& [name, value] : environment()) full.push_back(name + "=" + value);
  full.insert(full.end(), argv.begin(), argv.end());
  return run_process(full);
}

std::string SoftHsmToken::list_objects(const std::string& type) const {
  ProcessResult r = run({"pkcs11-tool", "--module", kModule, "--token-label", label(), "--login",
                         "--pin", kPin, "--list-objects", "--type", type});
  return r.out + r.err;
}

void SoftHsmToken::import_key(const std::filesystem::path& key_file,
                              const std::string& key_label) const {
  const std::string private_der = (dir_ / "import.der").string();
  const std::string public_der = (dir_ / "import.pub.der").string();
  std::vector<std::vector<std::string>> steps{
      {"openssl", "pkey", "-in", key_file.string(), "-outform", "DER", "-out", private_der},
      {"openssl", "pkey", "-in", key_file.string(), "-pubout", "-outform", "DER", "-out",
       public_der}};
  const std::string id = "0" + std::to_string(imported_++ % 10) + "a1b2c3d4e5f60718";
  for (const auto& [file, type] : {std::pair{private_der, "privkey"}, {public_der, "pubkey"}}) {
    std::vector<std::string> write{"pkcs11-tool",    "--module", kModule,   "--token-label",
                                   label(),          "--login",  "--pin",   kPin,
                                   "--write-object", file,       "--type",  type,
                                   "--id",           id,         "--label", key_label};
    if (std::string(type) == "privkey") {
      write.push_back("--usage-sign");
      write.push_back("--sensitive");
    }
    steps.push_back(write);
  }
  for (const auto& step : steps) {
    ProcessResult r = run(step);
    if (r.exit_code != 0)
      throw std::runtime_error("import " + key_file.string() + " into the token: " + r.out + r.err);
  }
  std::filesystem::remove(private_der);
  std::filesystem::remove(public_der);
}

void SoftHsmToken::remove() const {
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "tokens"))
    std::filesystem::remove_all(entry.path());
}

}  // namespace xmppcert::testing
