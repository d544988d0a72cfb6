#include "metrics/metrics_endpoint.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace radlabel {

MetricsEndpoint::MetricsEndpoint() : server_(std::make_unique<httplib::Server>()) {}

MetricsEndpoint::~MetricsEndpoint() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& address,
                                                                        Metrics& metrics) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address '", address, "' is not host:port, e.g. 0.0.0.0:9464"));
  }
  const std::string host = address.substr(0, colon);
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint);
  httplib::Server& server = *endpoint->server_;
  // Scrapes are rare and cheap: one thread, not httplib's default pool of 8 or more.
  server.new_task_queue = [] { return new httplib::ThreadPool(1); };
  server.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics.Scrape(absl::Now()), "text/plain; version=0.0.4; charset=utf-8");
  });
  const int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", address,
                                               "; check the address, or whether the port is in use"));
  }
  endpoint->address_ = absl::StrCat(host, ":", bound);
  endpoint->thread_ = std::thread([&server, &returned = endpoint->listen_returned_] {
    server.listen_after_bind();
    returned = true;
  });
  // httplib's stop() does nothing until the listen loop has begun, so the destructor of an
  // endpoint stopped at once (a start-up that fails after this) would join a thread that then
  // listens forever. The loop begins at once: wait for it, or for the listen to have failed.
  while (!server.is_running() && !endpoint->listen_returned_) std::this_thread::yield();
  return endpoint;
}

}  // namespace radlabel
