// What `--dry-run` checks beyond the plan: the things a real run needs that can be tried now
// at no cost at the CA (a file readable, a folder writable, a port free, a directory URL
// answering). Each check names what it tried; a failed one says why.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace xmppcert {

struct PreflightCheck {
  std::string what;     // "local CA files readable: /var/lib/xmppcert/ca/local"
  std::string failure;  // empty: passed
  bool ok() const { return failure.empty(); }
};

using PreflightChecks = std::vector<PreflightCheck>;

// The file can be opened for reading by this process.
PreflightCheck check_readable_file(const std::string& what, const std::filesystem::path& path);

// Files can be created in `dir`, or, while it does not exist yet, in the nearest existing
// folder above it (the run creates the rest). Tried with access(2): nothing is written.
PreflightCheck check_writable_directory(const std::string& what, const std::filesystem::path& dir);

// A TCP socket can be bound on address:port now (bound and closed at once).
PreflightCheck check_bindable(const std::string& what, const std::string& address, int port);

// Something accepts TCP connections on address:port (an IP), within 3 s.
PreflightCheck check_listening(const std::string& what, const std::string& address, int port);

}  // namespace xmppcert
