// A SoftHSM2 token of the test's own: a token folder and a SOFTHSM2_CONF in a temp dir (the
// machine's tokens are never touched), initialised with a label and a user PIN that sits in a
// root-only PIN file, as `xmppcert-ca init --pkcs11-*` wants it.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {

class SoftHsmToken {
 public:
  static constexpr char kModule[] = "/usr/lib/softhsm/libsofthsm2.so";
  static bool available();  // softhsm2-util and the module are installed

  SoftHsmToken();

  std::string label() const { return "xmppcert-test"; }
  std::string pin_file() const { return (dir_ / "pin").string(); }
  // SOFTHSM2_CONF, for every process that opens the token.
  std::map<std::string, std::string> environment() const;
  // The init flags naming this token.
  std::vector<std::string> init_flags() const;
  // `argv` run with this token's SOFTHSM2_CONF.
  ProcessResult run(std::vector<std::string> argv) const;
  // opensc's `pkcs11-tool --list-objects` of the token (logged in), its output.
  std::string list_objects(const std::string& type) const;
  // Deletes the token (its folder in the token dir): the module then finds no token of this
  // label, as when an HSM's partition is gone.
  void remove() const;
  // Writes the key pair of PEM `key_file` into the token under `key_label` (one fresh CKA_ID for
  // both halves), as xmppcert-ca(8) tells an operator moving from files to a token.
  void import_key(const std::filesystem::path& key_file, const std::string& key_label) const;

 private:
  TempDir dir_;
  mutable int imported_ = 0;  // keys imported so far: each pair gets its own CKA_ID
};

}  // namespace xmppcert::testing
