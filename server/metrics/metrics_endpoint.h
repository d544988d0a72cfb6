// Serves GET /metrics (Prometheus text format) on its own port, from one thread.
//
// Not prometheus-cpp's civetweb Exposer: Debian's civetweb starts its threads with 100 KiB
// stacks, less than the static thread-local storage of LibTorch + OpenBLAS needs, so it cannot
// start in this process (docs/metrics.md). cpp-httplib uses ordinary threads.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "metrics/metrics.h"

namespace httplib {
class Server;
}

namespace radlabel {

class MetricsEndpoint {
 public:
  // Listens on `address` (host:port; port 0 picks a free one). `metrics` must outlive it.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& address,
                                                                Metrics& metrics);
  ~MetricsEndpoint();  // stops serving

  // host:port actually bound.
  const std::string& address() const { return address_; }

 private:
  MetricsEndpoint();

  std::unique_ptr<httplib::Server> server_;
  std::atomic<bool> listen_returned_{false};
  std::thread thread_;
  std::string address_;
};

}  // namespace radlabel
