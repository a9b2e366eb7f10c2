#include "engine/renewal_window.h"

#include <openssl/rand.h>

namespace xmppcert {

std::time_t renewal_time_in_window(std::time_t current, std::time_t start, std::time_t end,
                                   std::uint64_t random) {
  if (current >= start && current <= end) return current;
  if (end <= start) return start;
  std::uint64_t width = static_cast<std::uint64_t>(end) - static_cast<std::uint64_t>(start);
  if (width == UINT64_MAX) return start + static_cast<std::time_t>(random >> 1);
  return start + static_cast<std::time_t>(random % (width + 1));
}

bool window_ends_before_expiry(std::time_t window_end, std::time_t not_after) {
  return window_end < not_after;
}

std::uint64_t random_u64() {
  std::uint64_t value = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value);
  return value;
}

}  // namespace xmppcert
