#include "engine/next_key.h"

#include <unistd.h>

#include "engine/dane.h"
#include "engine/fs.h"

namespace xmppcert {

std::filesystem::path next_key_path(const Store& store, const std::string& name) {
  return store.certificate_dir(name) / "next-key.pem";
}

PKeyPtr replace_next_key(const Store& store, const std::string& name, KeyType type) {
  validate_certificate_name(name);
  PKeyPtr key = generate_private_key(type);
  create_directories(store.certificate_dir(name), 0755);
  write_file_atomically(next_key_path(store, name), private_key_pem(key.get()),
                        with_mode(kPrivateKeyMode));
  return key;
}

PKeyPtr ensure_next_key(const Store& store, const std::string& name, KeyType type,
                        const std::string& current_hash) {
  std::filesystem::path path = next_key_path(store, name);
  if (::access(path.c_str(), F_OK) == 0) {
    PKeyPtr key = load_private_key(read_file(path), path.string());
    if (key_type_of(key.get()) == type && spki_sha256_hex(key.get()) != current_hash) return key;
  }
  return replace_next_key(store, name, type);
}

PKeyPtr current_key(const Store& store, const CertificateRecord& record) {
  std::filesystem::path path = store.version(record.name, record.current_version).key_path();
  return load_private_key(read_file(path), path.string());
}

}  // namespace xmppcert
