// The log's entries as the tree sees them, over the CA's storage (ca/sa/storage.h, table
// ct_entries in SQLite or PostgreSQL): entry i is index i, with its leaf input, extra_data,
// leaf hash (what the tree is built from), the certificate's SHA-256 and serial. Appends run
// inside the transaction that stores the certificate, so the index is the next one with no
// gap, and nothing is issued unlogged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ct/merkle.h"
#include "ca/sa/storage.h"

namespace xmppcert::ctlog {

using StoredEntry = ca::LogEntryRecord;

class LogStore {
 public:
  explicit LogStore(ca::Storage& storage) : storage_(storage) {}

  // The new entry's index; call inside storage.transaction().
  uint64_t append(const std::string& leaf_input, const std::string& extra_data,
                  const std::string& cert_sha256, const std::string& serial);
  uint64_t size() { return storage_.log_size(); }
  std::vector<Hash> leaf_hashes(uint64_t count);
  std::vector<StoredEntry> entries(uint64_t first, uint64_t last) {  // inclusive
    return storage_.log_entries(first, last);
  }
  std::optional<uint64_t> index_of_leaf_hash(const Hash& hash);
  std::optional<uint64_t> index_of_certificate(const std::string& cert_sha256) {
    return storage_.log_index_of_certificate(cert_sha256);
  }

 private:
  ca::Storage& storage_;
};

}  // namespace xmppcert::ctlog
