// The HTTP/JSON API beside gRPC (docs/http-api.md): POST /v1/label, GET /v1/model, and the
// probes GET /healthz and GET /readyz. A second door to the same RequestLabeller as the gRPC
// service: the same validation, limits, per-report errors, admission, deadlines and token.
// Handlers start the labelling and wait for the batcher; they never run the model.
#pragma once

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "http/http_listener.h"
#include "service/request_labeller.h"
#include "service/transport_security_options.h"

namespace httplib {
class ContentReader;
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace radlabel {

struct HttpOptions {
  // host:port to listen on; port 0 picks a free one. Flag --http_listen, default 0.0.0.0:8080.
  std::string address;
  // Connections served at once. cpp-httplib serves a connection on one thread for as long as
  // it stays open (keep-alive included), so this bounds concurrent callers; further
  // connections are accepted and wait for a free thread (cpp-httplib's queue has no bound).
  // Range >= 1; default 64 (waiting threads cost no CPU).
  int threads = 64;
  // How long an idle keep-alive connection keeps its thread. Range >= 1 s; default 5 s.
  absl::Duration keep_alive = absl::Seconds(5);
  // Largest request body, in bytes; larger ones get 413. Range >= 1024; default 64 MiB (the
  // gRPC port's ServiceOptions::max_message_bytes).
  size_t max_body_bytes = 64 << 20;
  // TLS (and client certificates) as on the gRPC port; default plaintext.
  TransportSecurityOptions security;

  absl::Status Validate() const;
};

class ConnectionWatch;

class HttpEndpoint {
 public:
  // A bool and the mutex that guards it.
  struct GuardedFlag {
    absl::Mutex* mu;
    const bool* value;
  };

  // Listens on options.address and serves from options.threads threads. `requests` must
  // outlive the endpoint.
  static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(const HttpOptions& options,
                                                             RequestLabeller& requests);
  // Destruction stops serving; call Drain first to let requests in flight finish.

  // host:port actually bound, and whether it speaks TLS.
  const std::string& address() const { return listener_->address(); }
  bool tls() const { return tls_; }

  // From now on /readyz answers 503 and new label requests 503 (UNAVAILABLE); requests in
  // flight go on.
  void StartDraining() ABSL_LOCKS_EXCLUDED(mu_);
  // StartDraining, then waits until no label request is in flight or until `deadline`; the
  // requests still waiting then are answered 503 at once.
  void Drain(absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  HttpEndpoint(RequestLabeller& requests, bool tls) : requests_(requests), tls_(tls) {}
  void Route(httplib::Server& server, size_t max_body_bytes);

  // Waits until *flag.value (guarded by *flag.mu) is true: OK; or until the request's
  // `deadline` (DEADLINE_EXCEEDED), its client leaves (CANCELLED) or Drain gives up
  // (UNAVAILABLE), whichever comes first.
  absl::Status AwaitOrGiveUp(GuardedFlag flag, absl::Time deadline, absl::Time received,
                             const ConnectionWatch& watch) ABSL_LOCKS_EXCLUDED(mu_);
  // Checks the token and the deadline, waits until the budget of request bytes has room for
  // the body, reads it (at most `max_body_bytes`), and labels it.
  void Label(const httplib::Request& http, const httplib::ContentReader& read_body,
             size_t max_body_bytes, httplib::Response& answer) ABSL_LOCKS_EXCLUDED(mu_);
  void DescribeModel(const httplib::Request& http, httplib::Response& answer);
  // OK, or UNAUTHENTICATED when `http` lacks the bearer token (then `answer` says so).
  absl::Status Authorize(Rpc rpc, const httplib::Request& http, httplib::Response& answer);
  bool draining() const ABSL_LOCKS_EXCLUDED(mu_);

  RequestLabeller& requests_;
  const bool tls_;
  mutable absl::Mutex mu_;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time give_up_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();  // set by Drain
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;  // label requests being handled
  // Last, so that it stops (and its handlers return) before the state above goes.
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace radlabel
