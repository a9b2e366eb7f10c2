#include "tests/support/fake_server_plugin.h"

#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert::testing {

void FakeServerPlugin::install(const StoredVersion& version) {
  ++installs;
  if (on_install) on_install(version);
  if (served_) write_file_atomically(*served_, read_file(version.cert_path()));
  installed = version.number;
}

void FakeServerPlugin::reload() {
  ++reloads;
  if (fail_next_reload) {
    fail_next_reload = false;
    throw OperationError("reload " + name_ + ": daemon refused");
  }
}

}  // namespace xmppcert::testing
