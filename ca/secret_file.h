// A secret the CA reads from a file named in its config (the database password, the PKCS#11
// token's PIN): a regular file, not a symlink, owned by root or by the CA's own user, that
// group and others cannot access. Its content never reaches argv, a log line or an error.
#pragma once

#include <string>

namespace xmppcert::ca {

// The file's content without trailing newlines; OperationError naming `what` and the path.
std::string read_secret_file(const std::string& path, const std::string& what);

}  // namespace xmppcert::ca
