#include "metrics/metrics_endpoint.h"

#include <httplib.h>

namespace radlabel {

absl::StatusOr<std::unique_ptr<HttpListener>> StartMetricsEndpoint(const std::string& address,
                                                                  Metrics& metrics) {
  auto server = std::make_unique<httplib::Server>();
  // Scrapes are rare and cheap: one thread, not httplib's default pool of 8 or more.
  server->new_task_queue = [] { return new httplib::ThreadPool(1); };
  server->Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics.Scrape(absl::Now()), "text/plain; version=0.0.4; charset=utf-8");
  });
  return HttpListener::Start(std::move(server), address, "--metrics_listen");
}

}  // namespace radlabel
