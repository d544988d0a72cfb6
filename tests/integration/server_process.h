// Runs radlabel binaries as real child processes for integration tests. Start-up is awaited by
// reading the server's output until it prints its "listening on" line: no sleeps, no polling.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/synchronization/mutex.h"

namespace radlabel::testing {

inline const std::string kSourceDir = RADLABEL_SOURCE_DIR;
inline const std::string kServerBinary = RADLABEL_SERVER_BINARY;
inline const std::string kCliBinary = RADLABEL_CLI_BINARY;

class ServerProcess {
 public:
  // Starts radlabel-server on 127.0.0.1 with ephemeral gRPC and metrics ports and `args`;
  // returns once it serves. If it exits first, the error holds its exit code and output.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(const std::vector<std::string>& args);
  ~ServerProcess();  // kills the server if it still runs

  const std::string& target() const { return target_; }
  pid_t pid() const { return pid_; }
  // host:port of the /metrics endpoint.
  const std::string& metrics_address() const { return metrics_address_; }
  // host:port of the HTTP API.
  const std::string& http_address() const { return http_address_; }
  // Sends `signal`, waits for the exit, returns the exit code (128 + n if killed by signal n).
  int Stop(int signal);
  void Signal(int signal);
  // Everything the server printed so far (stdout and stderr).
  std::string output();
  // The server's resident memory in bytes (VmRSS), or -1 once it has exited.
  int64_t resident_bytes() const;

 private:
  ServerProcess() = default;
  void DrainOutput(int fd);

  pid_t pid_ = -1;
  std::string target_;
  std::string metrics_address_;
  std::string http_address_;
  std::thread reader_;
  absl::Mutex mu_;
  std::string output_ ABSL_GUARDED_BY(mu_);
};

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
// Whether `server`'s resident memory falls to at most `bound` bytes within `timeout` (memory
// given back to the system shows no event to wait on: it is sampled every 100 ms).
bool AwaitResidentBytesAtMost(const ServerProcess& server, int64_t bound, absl::Duration timeout);

// Runs a program to completion.
ProcessResult RunProcess(const std::vector<std::string>& argv);

}  // namespace radlabel::testing
