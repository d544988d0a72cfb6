// Serves GET /metrics (Prometheus text format) on its own port, from one thread.
//
// Not prometheus-cpp's civetweb Exposer: Debian's civetweb starts its threads with 100 KiB
// stacks, less than the static thread-local storage of LibTorch + OpenBLAS needs, so it cannot
// start in this process (docs/metrics.md). cpp-httplib uses ordinary threads.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "http/http_listener.h"
#include "metrics/metrics.h"

namespace radlabel {

// Listens on `address` (host:port; port 0 picks a free one) until destroyed, over HTTPS with
// `security`'s certificate and key when it has TLS (so that a server whose other ports are
// encrypted serves no plaintext); a client CA is not asked for: a scraper needs only the CA
// that signed the certificate. `metrics` must outlive it.
absl::StatusOr<std::unique_ptr<HttpListener>> StartMetricsEndpoint(
    const std::string& address, const TransportSecurityOptions& security, Metrics& metrics);

}  // namespace radlabel
