// Shared by the libFuzzer targets: a scratch folder per process for readers that take a
// path, and the one rule every target checks. A project error (UsageError, OperationError)
// is the right answer to bad input; anything else escaping (std::out_of_range,
// nlohmann::json::type_error, YAML::Exception), a crash, a leak or a hang is a finding.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "dane/dane_sections.h"
#include "engine/errors.h"
#include "plugins/registry.h"

namespace xmppcert::fuzz {

// Configs are read as xmppcert reads them: with the issuers' settings sections and DANE's
// sections declared to the engine (engine/issuer_settings.h, engine/extensions.h), once per
// process.
inline const bool kIssuerSettingsDeclared = (declare_issuer_settings_to_engine(), true);
inline const bool kDaneSectionsDeclared = (declare_dane_sections_to_engine(), true);

inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    ::umask(022);  // the config reader refuses group-writable files
    std::string pattern =
        (std::filesystem::temp_directory_path() / "xmppcert-fuzz-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    ::chmod(pattern.c_str(), 0700);
    return std::filesystem::path(pattern);
  }();
  return dir;
}

inline void write_scratch(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

// Splits the input at "\n--8<--\n" marks: one part per file of a multi-file target.
inline std::vector<std::string> split_parts(const uint8_t* data, size_t size, size_t parts) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> out;
  const std::string mark = "\n--8<--\n";
  size_t at = 0;
  while (out.size() + 1 < parts) {
    size_t next = text.find(mark, at);
    if (next == std::string::npos) break;
    out.push_back(text.substr(at, next - at));
    at = next + mark.size();
  }
  out.push_back(text.substr(at));
  while (out.size() < parts) out.emplace_back();
  return out;
}

// Runs `body`; project errors are expected answers to bad input.
template <typename Body>
void expect_only_project_errors(Body&& body) {
  try {
    body();
  } catch (const UsageError&) {
  } catch (const OperationError&) {
  }
}

}  // namespace xmppcert::fuzz
