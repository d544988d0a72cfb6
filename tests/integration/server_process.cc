#include "integration/server_process.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace radlabel::testing {
namespace {

// Spawns argv with stdout and stderr on a pipe; returns the read end.
pid_t Spawn(const std::vector<std::string>& argv, int* read_fd) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  *read_fd = fds[0];
  return pid;
}

int WaitExitCode(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kServerBinary, "--listen=127.0.0.1:0",
                                   "--metrics_listen=127.0.0.1:0", "--http_listen=127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  int fd = -1;
  std::unique_ptr<ServerProcess> server(new ServerProcess);
  server->pid_ = Spawn(argv, &fd);
  if (server->pid_ < 0) return absl::InternalError(absl::StrCat("cannot start ", kServerBinary));
  FILE* out = fdopen(fd, "r");
  static const std::regex kListening("listening on (127\\.0\\.0\\.1:[0-9]+)");
  static const std::regex kMetrics("metrics on https?://(127\\.0\\.0\\.1:[0-9]+)/metrics");
  static const std::regex kHttp("HTTP API on https?://(127\\.0\\.0\\.1:[0-9]+)/v1/label");
  char* line = nullptr;
  size_t capacity = 0;
  std::string seen;
  while (getline(&line, &capacity, out) > 0) {
    seen += line;
    std::cmatch match;
    if (std::regex_search(line, match, kMetrics)) server->metrics_address_ = match[1];
    if (std::regex_search(line, match, kHttp)) server->http_address_ = match[1];
    if (std::regex_search(line, match, kListening)) {
      server->target_ = match[1];
      break;
    }
  }
  free(line);
  if (server->target_.empty()) {  // the output ended: the server exited
    fclose(out);
    const int code = WaitExitCode(server->pid_);
    server->pid_ = -1;
    return absl::FailedPreconditionError(
        absl::StrCat("radlabel-server exited with code ", code, " before serving:\n", seen));
  }
  {
    absl::MutexLock lock(&server->mu_);
    server->output_ = seen;
  }
  // Keep draining so that the server never blocks on a full pipe.
  server->reader_ = std::thread([s = server.get(), out] {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), out)) > 0) {
      absl::MutexLock lock(&s->mu_);
      s->output_.append(buffer, n);
    }
    fclose(out);
  });
  return server;
}

void ServerProcess::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

int64_t ServerProcess::resident_bytes() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

bool AwaitResidentBytesAtMost(const ServerProcess& server, int64_t bound, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  for (;;) {
    const int64_t resident = server.resident_bytes();
    if (resident >= 0 && resident <= bound) return true;
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(100));
  }
}

int ServerProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  const int code = WaitExitCode(pid_);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  return code;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(SIGKILL);
  if (reader_.joinable()) reader_.join();
}

std::string ServerProcess::output() {
  absl::MutexLock lock(&mu_);
  return output_;
}

ProcessResult RunProcess(const std::vector<std::string>& argv) {
  ProcessResult result;
  int fd = -1;
  const pid_t pid = Spawn(argv, &fd);
  if (pid < 0) return result;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) result.output.append(buffer, static_cast<size_t>(n));
  close(fd);
  result.exit_code = WaitExitCode(pid);
  return result;
}

}  // namespace radlabel::testing
