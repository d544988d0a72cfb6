#include "metrics/metrics_endpoint.h"

#include <httplib.h>

#include "common/status_macros.h"

namespace radlabel {

absl::StatusOr<std::unique_ptr<HttpListener>> StartMetricsEndpoint(
    const std::string& address, const TransportSecurityOptions& security, Metrics& metrics) {
  TransportSecurityOptions server_only = security;
  server_only.tls_client_ca_file.clear();
  RADLABEL_ASSIGN_OR_RETURN(std::unique_ptr<httplib::Server> server,
                            NewHttpServer(server_only, "the metrics port"));
  // Scrapes are rare and cheap: one thread, not httplib's default pool of 8 or more.
  server->new_task_queue = [] { return new httplib::ThreadPool(1); };
  server->Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics.Scrape(absl::Now()), "text/plain; version=0.0.4; charset=utf-8");
  });
  return HttpListener::Start(std::move(server), address, "--metrics_listen");
}

}  // namespace radlabel
