#include "agent/operation_child.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "engine/errors.h"
#include "engine/log.h"

namespace xmppcert {

OperationResult run_operation_in_child(const std::string& name,
                                       const std::function<OperationResult()>& operation) {
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    log_line(name, "failed: fork: " + errno_text(errno));
    return OperationResult::failed;
  }
  if (child == 0) {
    // Killed with the agent, as when the operation ran inside it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() == 1) ::_exit(static_cast<int>(OperationResult::failed));
    int code = static_cast<int>(OperationResult::failed);
    try {
      code = static_cast<int>(operation());
    } catch (const std::exception& e) {
      log_line(name, std::string("failed: ") + e.what());
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) <= 2)
    return static_cast<OperationResult>(WEXITSTATUS(status));
  log_line(name,
           "failed: the operation's process " +
               (WIFSIGNALED(status) ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                    : "exited " + std::to_string(WEXITSTATUS(status))));
  return OperationResult::failed;
}

}  // namespace xmppcert
