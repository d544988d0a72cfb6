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

// What a body of `bytes` costs in the budget of request bytes, which counts a gRPC message
// once (resident memory stays under twice the budget: a message as received and as parsed). A
// JSON body is held as read, as protobuf's binary form (which the JSON parser builds, growing
// it by doubling) and as the parsed request: about 6 times its size at the peak, so it counts
// 3 times, and at most the whole budget (it waits until it is alone).
int64_t BodyCost(size_t bytes, const RequestBytesBudget& budget) {
  return std::min<int64_t>(3 * static_cast<int64_t>(bytes), budget.capacity());
}

// The largest unread body a refused request's connection reads and drops to stay open.
constexpr size_t kDroppableBodyBytes = 64 << 10;

// Ends a request answered before its body was read to its end. cpp-httplib would read the rest
// as the next request, holding it as one long request line (cpp-httplib 0.11 bounds no line):
// a small body is read and dropped, so that the connection stays open for the next request;
// otherwise the connection stops reading and closes after the answer.
void LeaveBodyUnread(const httplib::Request& http, const httplib::ContentReader& read_body,
                     bool body_started, httplib::Response& answer) {
  size_t length = 0;
  if (!body_started && http.has_header("Content-Length") &&
      absl::SimpleAtoi(http.get_header_value("Content-Length"), &length) &&
      length <= kDroppableBodyBytes) {
    read_body([](const char*, size_t) { return true; });
    return;
  }
  ConnectionWatch(http).StopReading();
  answer.set_header("Connection", "close");
}

absl::Status BodyTooLarge(size_t max_body_bytes) {
  return absl::ResourceExhaustedError(
      absl::StrCat("the request body is larger than ", max_body_bytes,
                   " bytes (--max_message_bytes); send fewer reports per request"));
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

// A request body's bytes in the server-wide budget, asked for at construction and given back
// at destruction, whether or not they were granted by then.
class BodyReservation {
 public:
  BodyReservation(RequestBytesBudget& budget, int64_t bytes) : budget_(budget), bytes_(bytes) {
    ticket_ = budget_.Reserve(bytes_, [state = state_] {
      absl::MutexLock lock(&state->mu);
      state->granted = true;
    });
    if (!ticket_) state_->granted = true;
  }
  ~BodyReservation() {
    // A request still waiting is withdrawn; one granted meanwhile holds its bytes.
    if (ticket_ && budget_.Withdraw(*ticket_)) return;
    budget_.Release(bytes_);
  }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;

  // Set (under its mutex) once the bytes are reserved.
  HttpEndpoint::GuardedFlag granted() { return {&state_->mu, &state_->granted}; }

  // Gives back what a granted reservation holds beyond `bytes`.
  void ShrinkTo(int64_t bytes) {
    if (bytes >= bytes_) return;
    budget_.Release(bytes_ - bytes);
    bytes_ = bytes;
  }

 private:
  struct State {
    absl::Mutex mu;
    bool granted ABSL_GUARDED_BY(mu) = false;
  };
  RequestBytesBudget& budget_;
  int64_t bytes_;
  // Shared with the budget's callback, which may run on another thread after a withdrawal
  // failed.
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::optional<RequestBytesBudget::Ticket> ticket_;
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
  // With a content reader the handler runs before the body is read: the token, the deadline
  // and the budget of request bytes come first.
  server.Post("/v1/label", [this, max_body_bytes](const httplib::Request& http,
                                                  httplib::Response& answer,
                                                  const httplib::ContentReader& read_body) {
    Label(http, read_body, max_body_bytes, answer);
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
      status = BodyTooLarge(max_body_bytes);
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

void HttpEndpoint::Label(const httplib::Request& http, const httplib::ContentReader& read_body,
                         size_t max_body_bytes, httplib::Response& answer) {
  const absl::Time received = absl::Now();
  // Refuses the request (counted) before or while its body is read.
  auto refuse = [&](const absl::Status& status, bool body_started) {
    Reply(requests_.Refuse(Rpc::kHttpLabel, status), answer);
    LeaveBodyUnread(http, read_body, body_started, answer);
  };
  std::optional<InFlight> in_flight;
  {
    absl::MutexLock lock(&mu_);
    if (!draining_) in_flight.emplace(mu_, in_flight_);
  }
  if (!in_flight) {
    return refuse(absl::UnavailableError("the server is shutting down; send the request to "
                                         "another replica, or retry"),
                  false);
  }
  if (!Authorize(Rpc::kHttpLabel, http, answer).ok()) {
    return LeaveBodyUnread(http, read_body, false, answer);
  }
  const absl::StatusOr<absl::Time> deadline = DeadlineOf(http, received);
  if (!deadline.ok()) return refuse(deadline.status(), false);
  // A body of known length reserves its length; a chunked one the largest size, until read.
  size_t body_bytes = max_body_bytes;
  if (http.has_header("Content-Length")) {
    const std::string length = http.get_header_value("Content-Length");
    if (!absl::SimpleAtoi(length, &body_bytes) || body_bytes > max_body_bytes) {
      refuse(BodyTooLarge(max_body_bytes), false);
      answer.status = 413;  // not 429: retrying the same body cannot succeed
      return;
    }
  }
  auto watch = std::make_shared<ConnectionWatch>(http);
  BodyReservation reservation(requests_.request_bytes(), BodyCost(body_bytes, requests_.request_bytes()));
  if (absl::Status waited = AwaitOrGiveUp(reservation.granted(), *deadline, received, *watch);
      !waited.ok()) {
    watch->Release();
    return refuse(waited, false);
  }
  std::string body;
  body.reserve(body_bytes);  // no copies while it grows (pages are touched as it fills)
  bool body_too_large = false;
  const bool read = read_body([&](const char* data, size_t length) {
    if (body.size() + length > max_body_bytes) return !(body_too_large = true);
    body.append(data, length);
    return true;
  });
  if (!read) {
    watch->Release();
    refuse(body_too_large ? BodyTooLarge(max_body_bytes)
                          : absl::InvalidArgumentError(
                                "the request body could not be read to its end; send it whole"),
           true);
    if (body_too_large) answer.status = 413;
    return;
  }
  reservation.ShrinkTo(BodyCost(body.size(), requests_.request_bytes()));
  absl::StatusOr<v1::LabelRequest> request = ParseLabelRequest(body);
  std::string().swap(body);
  if (!request.ok()) {
    watch->Release();
    return Reply(requests_.Refuse(Rpc::kHttpLabel, request.status()), answer);
  }

  auto pending = std::make_shared<PendingLabel>();
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
  const absl::Status outcome =
      AwaitOrGiveUp({&pending->mu, &pending->done}, *deadline, received, *watch);
  // Reports still queued are dropped before the model from here on: nobody waits for them.
  watch->Release();
  if (!outcome.ok()) return Reply(outcome, answer);
  answer.set_content(ToJson(pending->response), kJson);
}

absl::Status HttpEndpoint::AwaitOrGiveUp(GuardedFlag flag, absl::Time deadline,
                                         absl::Time received, const ConnectionWatch& watch) {
  for (;;) {
    absl::Time give_up;
    {
      absl::MutexLock lock(&mu_);
      give_up = give_up_;
    }
    const absl::Time now = absl::Now();
    const bool done = flag.mu->LockWhenWithDeadline(
        absl::Condition(flag.value), std::min({now + kWatchInterval, deadline, give_up}));
    flag.mu->Unlock();
    // Past its deadline a request is answered 504 even when the batcher has just finished it
    // (its reports' results would say DEADLINE_EXCEEDED), as a gRPC caller's deadline is final.
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the request took longer than its ", kTimeoutHeader, " of ",
          absl::FormatDuration(deadline - received), "; retry with a longer timeout, or fewer reports"));
    }
    if (done) return absl::OkStatus();
    if (watch.PeerGone()) return absl::CancelledError("the client closed the connection");
    if (absl::Now() >= give_up) {
      return absl::UnavailableError(
          "the server shut down before the request finished; send it to another replica");
    }
  }
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
