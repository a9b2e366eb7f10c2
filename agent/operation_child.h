// One operation on a certificate (issue, install, reload, verify) runs in a forked child that
// the agent waits for. What the operation pages in (OpenSSL's key generation and signing, the
// issuer's and server plugin's code, libcurl) and allocates leaves with the child, so the
// long-running agent stays at its idle size (issue 11: 10.3 MB after 10 issuances, since);
// a crash in the operation is a failed operation, not a dead agent.
#pragma once

#include <functional>
#include <string>

namespace xmppcert {

// What the child reports through its exit status.
enum class OperationResult { nothing_done = 0, failed = 1, issued = 2 };

// Runs `operation` in a forked child (signals stay blocked there, as in the agent), waits
// for it, and returns its result; a child killed by a signal or that cannot be forked counts
// as failed (logged).
OperationResult run_operation_in_child(const std::string& name,
                                       const std::function<OperationResult()>& operation);

}  // namespace xmppcert
