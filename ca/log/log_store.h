// The log's entries in the CA's database (table ct_entries), through the handle Storage
// lends (Storage::with_database / transaction): entry i is row idx = i, with its leaf input,
// extra_data, leaf hash (what the tree is built from), the certificate's SHA-256 and serial.
// Appends run inside the transaction that stores the certificate, so the index is the next
// one with no gap, and nothing is issued unlogged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ca/log/merkle.h"

struct sqlite3;

namespace xmppcert::ctlog {

struct StoredEntry {
  uint64_t index = 0;
  std::string leaf_input;
  std::string extra_data;
};

class LogStore {
 public:
  LogStore(sqlite3* db, const std::string& path) : db_(db), path_(path) {}

  void create_tables();
  // The new entry's index.
  uint64_t append(const std::string& leaf_input, const std::string& extra_data,
                  const std::string& cert_sha256, const std::string& serial);
  uint64_t size();
  std::vector<Hash> leaf_hashes(uint64_t count);
  std::vector<StoredEntry> entries(uint64_t first, uint64_t last);  // inclusive
  std::optional<uint64_t> index_of_leaf_hash(const Hash& hash);
  std::optional<uint64_t> index_of_certificate(const std::string& cert_sha256);

 private:
  sqlite3* db_;
  const std::string& path_;
};

}  // namespace xmppcert::ctlog
