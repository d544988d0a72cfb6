// What every door to the labeller does with one request, whichever transport carries it (the
// gRPC service, the HTTP endpoint): checks the caller's token and the request's size, starts
// the labelling, fills the response in the API's messages and records it in the metrics. Free
// of gRPC and HTTP: each transport maps the statuses returned here to its own codes, once.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "batching/batcher_options.h"
#include "core/labeller.h"
#include "metrics/metrics.h"
#include "model/bundle.h"
#include "radlabel/v1/labeller.pb.h"
#include "service/bearer_token.h"
#include "service/call_log.h"
#include "service/request_bytes_budget.h"
#include "service/service_options.h"

namespace radlabel {

class RequestLabeller {
 public:
  // `labeller`, `bundle`, `metrics`, `token_check` and `call_log` must outlive it. With a
  // `token_check`, every call must carry the bearer token; null: no token needed. Every request
  // is also written to `call_log` unless it is null.
  RequestLabeller(Labeller& labeller, const ModelBundle& bundle, const BatcherOptions& batching,
                  const ServiceOptions& options, Metrics& metrics,
                  const BearerTokenCheck* token_check, CallLog* call_log = nullptr);

  // OK, or UNAUTHENTICATED (recorded in the metrics under `rpc`) when `authorization` (the
  // caller's authorization metadata or header; empty when none) does not carry the token.
  absl::Status Authorize(Rpc rpc, absl::string_view authorization);

  // Starts labelling `request`; fills `response` (one result per report, in order) and then
  // calls `done`, possibly before returning. On error (the request's size is out of range, the
  // queue is full, the server is draining or stopping) nothing was started and `done` is never
  // called.
  // `request` must stay valid until Start returns, `response` until `done`.
  // Every request is recorded in the metrics under `rpc`, with the code its caller saw: one
  // answered after the caller's deadline counts as DEADLINE_EXCEEDED, one whose caller has gone
  // as CANCELLED. Reports whose `caller` stops waiting before they reach the model fail with
  // DEADLINE_EXCEEDED or CANCELLED, unrun.
  absl::Status Start(Rpc rpc, const v1::LabelRequest& request, v1::LabelResponse* response,
                     std::function<void()> done, std::shared_ptr<const CallerState> caller);

  // From now on Start refuses every request with UNAVAILABLE (the server is draining: what was
  // started finishes, nothing new begins, so that the drain ends within its grace). Unary calls
  // and HTTP requests are refused by their transports already; this stops the messages that
  // open streams keep sending. Thread-safe.
  void StartDraining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }

  // Records a request that a transport refused before Start (unreadable, or the server is
  // draining) under `rpc` and its code; returns `refusal`.
  absl::Status Refuse(Rpc rpc, absl::Status refusal);

  // How long a caller refused with `refused` (RESOURCE_EXHAUSTED from Start) should wait before
  // retrying: the time when the batcher has booked room for it, at least
  // ServiceOptions::retry_pushback.
  absl::Duration RetryPushback(const absl::Status& refused) const;

  // The model and the limits it is served with (GetModelInfo), recorded under `rpc`.
  const v1::ModelInfo& DescribeModel(Rpc rpc);

  const ServiceOptions& options() const { return options_; }

  // The server-wide budget of request bytes in flight (ServiceOptions::
  // max_request_bytes_in_flight), shared by every transport: a message or body is read only
  // once it has room.
  RequestBytesBudget& request_bytes() { return request_bytes_; }

 private:
  // A request refused whole with `code`, received at `received`: in the metrics and the log.
  void RecordRefusal(Rpc rpc, absl::StatusCode code, absl::Time received);

  Labeller& labeller_;
  const ModelBundle& bundle_;
  const ServiceOptions options_;
  Metrics& metrics_;
  const BearerTokenCheck* const token_check_;
  CallLog* const call_log_;
  const v1::ModelInfo model_info_;
  RequestBytesBudget request_bytes_;
  std::atomic<bool> draining_{false};
};

}  // namespace radlabel
