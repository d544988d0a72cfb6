#include "http/http_endpoint.h"

#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "http/connection_watch.h"
#include "http/http_status.h"
#include "http/json_messages.h"
#include "radlabel/v1/labeller.pb.h"

namespace radlabel {
namespace {

constexpr char kJson[] = "application/json";
// The header a caller sets to bound its request: seconds, e.g. "2.5" (docs/http-api.md).
constexpr char kTimeoutHeader[] = "X-Request-Timeout";
// How often a waiting handler looks whether its client is still there.
constexpr absl::Duration kWatchInterval = absl::Milliseconds(100);
// Requests one keep-alive connection may carry before it is closed (cpp-httplib's default, 5,
// would make a pipeline reconnect every fifth request).
constexpr size_t kKeepAliveRequests = 10000;

void Reply(const absl::Status& status, httplib::Response& answer) {
  answer.status = HttpStatusOf(status.code());
  answer.set_content(ErrorJson(status), kJson);
}

// The request's deadline from its X-Request-Timeout header; infinite without one.
absl::StatusOr<absl::Time> DeadlineOf(const httplib::Request& http, absl::Time received) {
  if (!http.has_header(kTimeoutHeader)) return absl::InfiniteFuture();
  const std::string value = http.get_header_value(kTimeoutHeader);
  double seconds = 0;
  if (!absl::SimpleAtod(value, &seconds) || !std::isfinite(seconds) || seconds <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kTimeoutHeader, " '", value, "' is not a positive number of seconds, e.g. 30 or 2.5"));
  }
  return received + absl::Seconds(seconds);
}

// One POST /v1/label's labelling, shared by its handler and the batcher's completion.
struct PendingLabel {
  absl::Mutex mu;
  bool done ABSL_GUARDED_BY(mu) = false;
  v1::LabelResponse response;  // complete once `done`
};

// Counts a label request in flight for its scope.
class InFlight {
 public:
  InFlight(absl::Mutex& mu, int& count) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) : mu_(mu), count_(count) {
    ++count_;
  }
  ~InFlight() {
    absl::MutexLock lock(&mu_);
    --count_;
  }

 private:
  absl::Mutex& mu_;
  int& count_;
};

}  // namespace

absl::Status HttpOptions::Validate() const {
  if (threads < 1) return absl::InvalidArgumentError("--http_threads must be at least 1");
  if (keep_alive < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--http_keep_alive must be at least 1s");
  }
  if (max_body_bytes < 1024) {
    return absl::InvalidArgumentError("--max_message_bytes must be at least 1024");
  }
  return security.Validate();
}

absl::StatusOr<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const HttpOptions& options,
                                                                  RequestLabeller& requests) {
  if (const absl::Status valid = options.Validate(); !valid.ok()) return valid;
  const TransportSecurityOptions& security = options.security;
  RADLABEL_ASSIGN_OR_RETURN(std::unique_ptr<httplib::Server> server,
                            NewHttpServer(security, "the HTTP port"));
  server->new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };
  server->set_keep_alive_timeout(absl::ToInt64Seconds(options.keep_alive));
  server->set_keep_alive_max_count(kKeepAliveRequests);
  server->set_payload_max_length(options.max_body_bytes);
  std::unique_ptr<HttpEndpoint> endpoint(new HttpEndpoint(requests, security.tls()));
  endpoint->Route(*server, options.max_body_bytes);
  RADLABEL_ASSIGN_OR_RETURN(endpoint->listener_,
                            HttpListener::Start(std::move(server), options.address, "--http_listen"));
  return endpoint;
}

void HttpEndpoint::Route(httplib::Server& server, size_t max_body_bytes) {
  server.Post("/v1/label", [this](const httplib::Request& http, httplib::Response& answer) {
    Label(http, answer);
  });
  server.Get("/v1/model", [this](const httplib::Request& http, httplib::Response& answer) {
    DescribeModel(http, answer);
  });
  // Liveness: the process answers. Readiness: it takes new work (not while draining).
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& answer) {
    answer.set_content("SERVING\n", "text/plain");
  });
  server.Get("/readyz", [this](const httplib::Request&, httplib::Response& answer) {
    const bool ready = !draining();
    answer.status = ready ? 200 : 503;
    answer.set_content(ready ? "SERVING\n" : "NOT_SERVING\n", "text/plain");
  });
  // Answers that httplib gives itself (404 no such route, 413 body too large, 400 unreadable
  // request) get an HttpError body like every other failure.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body_bytes](const httplib::Request& http, httplib::Response& answer) {
    if (!answer.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    absl::Status status;
    if (answer.status == 404) {
      status = absl::NotFoundError(absl::StrCat(
          "no route ", http.method, " ", http.path,
          "; the API is POST /v1/label, GET /v1/model, GET /healthz and GET /readyz"));
    } else if (answer.status == 413) {
      status = absl::ResourceExhaustedError(
          absl::StrCat("the request body is larger than ", max_body_bytes,
                       " bytes (--max_message_bytes); send fewer reports per request"));
    } else {
      status = absl::InvalidArgumentError(absl::StrCat(
          "the server could not read this HTTP request (", answer.status,
          "); check its method, headers and body"));
    }
    answer.set_content(ErrorJson(status), kJson);  // the status httplib chose stays
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& answer, std::exception_ptr) {
        Reply(absl::InternalError("the request failed inside the server; see its log"), answer);
      });
}

absl::Status HttpEndpoint::Authorize(Rpc rpc, const httplib::Request& http,
                                     httplib::Response& answer) {
  absl::Status authorized = requests_.Authorize(rpc, http.get_header_value("Authorization"));
  if (!authorized.ok()) {
    Reply(authorized, answer);
    answer.set_header("WWW-Authenticate", "Bearer");
  }
  return authorized;
}

void HttpEndpoint::Label(const httplib::Request& http, httplib::Response& answer) {
  const absl::Time received = absl::Now();
  std::optional<InFlight> in_flight;
  {
    absl::MutexLock lock(&mu_);
    if (!draining_) in_flight.emplace(mu_, in_flight_);
  }
  if (!in_flight) {
    return Reply(requests_.Refuse(Rpc::kHttpLabel,
                                  absl::UnavailableError("the server is shutting down; send the "
                                                         "request to another replica, or retry")),
                 answer);
  }
  if (!Authorize(Rpc::kHttpLabel, http, answer).ok()) return;
  const absl::StatusOr<absl::Time> deadline = DeadlineOf(http, received);
  if (!deadline.ok()) return Reply(requests_.Refuse(Rpc::kHttpLabel, deadline.status()), answer);
  absl::StatusOr<v1::LabelRequest> request = ParseLabelRequest(http.body);
  if (!request.ok()) return Reply(requests_.Refuse(Rpc::kHttpLabel, request.status()), answer);

  auto pending = std::make_shared<PendingLabel>();
  auto watch = std::make_shared<ConnectionWatch>(http);
  auto caller = std::make_shared<CallerState>();
  caller->deadline = *deadline;
  caller->cancelled = [watch] { return watch->PeerGone(); };
  const absl::Status started = requests_.Start(
      Rpc::kHttpLabel, *request, &pending->response,
      [pending] {
        absl::MutexLock lock(&pending->mu);
        pending->done = true;
      },
      std::move(caller));
  if (!started.ok()) {
    watch->Release();
    if (started.code() == absl::StatusCode::kResourceExhausted) {
      // Retry-After is whole seconds.
      answer.set_header("Retry-After",
                        std::to_string(absl::ToInt64Seconds(
                            absl::Ceil(requests_.RetryPushback(started), absl::Seconds(1)))));
    }
    return Reply(started, answer);
  }
  absl::Status outcome;
  for (;;) {
    absl::Time give_up;
    {
      absl::MutexLock lock(&mu_);
      give_up = give_up_;
    }
    const absl::Time now = absl::Now();
    const bool done = pending->mu.LockWhenWithDeadline(
        absl::Condition(&pending->done), std::min({now + kWatchInterval, *deadline, give_up}));
    pending->mu.Unlock();
    // Past its deadline a request is answered 504 even when the batcher has just finished it
    // (its reports' results would say DEADLINE_EXCEEDED), as a gRPC caller's deadline is final.
    if (absl::Now() >= *deadline) {
      outcome = absl::DeadlineExceededError(absl::StrCat(
          "the request took longer than its ", kTimeoutHeader, " of ",
          absl::FormatDuration(*deadline - received), "; retry with a longer timeout, or fewer reports"));
    } else if (done) {
      break;
    } else if (watch->PeerGone()) {
      outcome = absl::CancelledError("the client closed the connection");
    } else if (absl::Now() >= give_up) {
      outcome = absl::UnavailableError(
          "the server shut down before the request finished; send it to another replica");
    } else {
      continue;
    }
    break;
  }
  // Reports still queued are dropped before the model from here on: nobody waits for them.
  watch->Release();
  if (!outcome.ok()) return Reply(outcome, answer);
  answer.set_content(ToJson(pending->response), kJson);
}

void HttpEndpoint::DescribeModel(const httplib::Request& http, httplib::Response& answer) {
  if (!Authorize(Rpc::kHttpGetModelInfo, http, answer).ok()) return;
  answer.set_content(ToJson(requests_.DescribeModel(Rpc::kHttpGetModelInfo)), kJson);
}

bool HttpEndpoint::draining() const {
  absl::MutexLock lock(&mu_);
  return draining_;
}

void HttpEndpoint::StartDraining() {
  absl::MutexLock lock(&mu_);
  draining_ = true;
}

void HttpEndpoint::Drain(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  draining_ = true;
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
  if (!mu_.AwaitWithDeadline(absl::Condition(&idle), deadline)) give_up_ = absl::Now();
  // Handlers given up on answer within kWatchInterval.
  mu_.Await(absl::Condition(&idle));
}

}  // namespace radlabel
