// The CA's state dir holds its keys and its database: only the CA's user may read it. `serve`
// tightens what an older version or an operator's copy left looser (the folder to 0700,
// ca.db and its -wal/-shm to 0600) and sets umask 077, so that SQLite's own files are born
// private.
#pragma once

#include <filesystem>

namespace xmppcert::ca {

void make_state_dir_private(const std::filesystem::path& dir);

}  // namespace xmppcert::ca
