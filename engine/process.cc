#include "engine/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "engine/command_environment.h"
#include "engine/command_runner.h"
#include "engine/errors.h"

namespace xmppcert {
namespace {

constexpr size_t kOutputLimit = 64 * 1024;

// In a forked child before exec: the signal mask and ignored signals survive exec, and the
// agent blocks SIGTERM/SIGHUP/SIGINT (it reads them from a signalfd). A reload command or a
// server we start must see them as usual.
void restore_default_signals() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s : {SIGPIPE, SIGHUP, SIGTERM, SIGINT}) ::signal(s, SIG_DFL);
}

}  // namespace

std::string command_text(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::seconds time_limit,
                          const std::string& input, const CommandEnvironment& environment) {
  if (argv.empty()) throw UsageError("empty command");
  if (input.size() > 65536) throw UsageError("input for " + argv.at(0) + " larger than 64 KiB");
  // Everything the child needs is built before fork: it only calls async-signal-safe code.
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::string program = resolve_command(argv[0]);
  std::vector<std::string> env_entries = clean_environment(environment);
  std::vector<char*> envp = environment_pointers(env_entries);
  std::string not_found = "exec " + argv[0] + ": not found in " + kCommandPath + "\n";

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw_operation_error("pipe for", argv[0], errno_text(errno));
  int input_fds[2] = {-1, -1};
  if (!input.empty() && ::pipe2(input_fds, O_CLOEXEC) != 0)
    throw_operation_error("pipe for", argv[0], errno_text(errno));
  pid_t pid = ::fork();
  if (pid < 0) throw_operation_error("fork for", argv[0], errno_text(errno));
  if (pid == 0) {
    restore_default_signals();
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    int stdin_fd = input.empty() ? ::open("/dev/null", O_RDONLY) : input_fds[0];
    if (stdin_fd >= 0) ::dup2(stdin_fd, STDIN_FILENO);
    close_descriptors_from(3);
    if (program.empty()) {
      (void)!::write(STDERR_FILENO, not_found.data(), not_found.size());
      ::_exit(127);
    }
    ::execve(program.c_str(), args.data(), envp.data());
    std::string message = "exec " + argv[0] + ": " + errno_text(errno) + "\n";
    (void)!::write(STDERR_FILENO, message.data(), message.size());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  if (!input.empty()) {
    // Fits the pipe buffer: the write completes before the child reads.
    ::close(input_fds[0]);
    (void)!::write(input_fds[1], input.data(), input.size());
    ::close(input_fds[1]);
  }

  CommandResult result;
  auto deadline = std::chrono::steady_clock::now() + time_limit;
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    struct pollfd pfd {
      pipe_fds[0], POLLIN, 0
    };
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buffer[4096];
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (result.output.size() < kOutputLimit)
      result.output.append(buffer,
                           std::min(static_cast<size_t>(n), kOutputLimit - result.output.size()));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    throw_operation_error("run", command_text(argv),
                          "no exit after " + std::to_string(time_limit.count()) + " s, killed");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void run_command_checked(const std::vector<std::string>& argv, const std::string& what,
                         const std::string& input, const CommandEnvironment& environment) {
  system_command_runner().run_checked(argv, what, input, environment);
}

}  // namespace xmppcert

namespace xmppcert {

void spawn_detached(const std::vector<std::string>& argv, const CommandEnvironment& environment) {
  if (argv.empty()) throw UsageError("empty command");
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::string program = resolve_command(argv[0]);
  if (program.empty())
    throw_operation_error("start", command_text(argv), std::string("not found in ") + kCommandPath);
  std::vector<std::string> env_entries = clean_environment(environment);
  std::vector<char*> envp = environment_pointers(env_entries);
  int status_fds[2];  // the grandchild reports a failed exec here; success closes it
  if (::pipe2(status_fds, O_CLOEXEC) != 0)
    throw_operation_error("pipe for", argv[0], errno_text(errno));
  pid_t child = ::fork();
  if (child < 0) throw_operation_error("fork for", argv[0], errno_text(errno));
  if (child == 0) {
    restore_default_signals();
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    int null_fd = ::open("/dev/null", O_RDWR);
    for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) ::dup2(null_fd, fd);
    // A daemon keeps none of our descriptors (pipes a caller waits on to close, the lock),
    // except the exec-status pipe, which is close-on-exec.
    close_descriptors_from(3, status_fds[1]);
    ::execve(program.c_str(), args.data(), envp.data());
    int error = errno;
    (void)!::write(status_fds[1], &error, sizeof error);
    ::_exit(127);
  }
  ::close(status_fds[1]);
  ::waitpid(child, nullptr, 0);
  int error = 0;
  ssize_t n = ::read(status_fds[0], &error, sizeof error);
  ::close(status_fds[0]);
  if (n == sizeof error) throw_operation_error("start", command_text(argv), errno_text(error));
}

}  // namespace xmppcert
