#include "ca/ra/registered_domain.h"

#include <algorithm>

namespace xmppcert::ca {
namespace {

// `name` from the start of its last `labels` labels; `name` itself when it has fewer.
std::string last_labels(const std::string& name, size_t labels) {
  size_t at = name.size();
  for (size_t i = 0; i < labels; ++i) {
    if (at == 0 || at == std::string::npos) return name;
    at = name.rfind('.', at - 1);
    if (at == std::string::npos) return name;
  }
  return name.substr(at + 1);
}

size_t label_count(const std::string& name) {
  size_t count = 1;
  for (char c : name) count += c == '.';
  return count;
}

}  // namespace

std::string registered_domain(const std::string& name, const std::vector<std::string>& suffixes) {
  size_t labels = 2;
  for (const auto& suffix : suffixes)
    if (name.size() > suffix.size() && name.ends_with(suffix) &&
        name[name.size() - suffix.size() - 1] == '.')
      labels = std::max(labels, label_count(suffix) + 1);
  return last_labels(name, labels);
}

}  // namespace xmppcert::ca
