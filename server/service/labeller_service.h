// The radlabel.v1.Labeller gRPC service (callback API). Reactors validate the request, hand the
// reports to the Labeller and return; the batch's completion finishes the call. No reaction
// blocks on the model.
#pragma once

#include "core/labeller.h"
#include "metrics/metrics.h"
#include "radlabel/v1/labeller.grpc.pb.h"
#include "service/service_options.h"
#include "service/transport_security.h"

namespace radlabel {

class LabellerService final : public v1::Labeller::CallbackService {
 public:
  // `labeller`, `bundle`, `metrics` and `token_check` must outlive the service. With a
  // `token_check`, every call must carry the bearer token (UNAUTHENTICATED otherwise); null: no
  // token needed.
  LabellerService(Labeller& labeller, const ModelBundle& bundle, const BatcherOptions& batching,
                  const ServiceOptions& options, Metrics& metrics,
                  const BearerTokenCheck* token_check);

  grpc::ServerUnaryReactor* Label(grpc::CallbackServerContext* context,
                                  const v1::LabelRequest* request,
                                  v1::LabelResponse* response) override;
  grpc::ServerBidiReactor<v1::LabelRequest, v1::LabelResponse>* LabelStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* GetModelInfo(grpc::CallbackServerContext* context,
                                         const v1::GetModelInfoRequest* request,
                                         v1::ModelInfo* response) override;

  // Starts labelling `request`; fills `response` (one result per report, in order) and then
  // calls `done`, possibly before returning. On error (the request's size is out of range, the
  // queue is full, the server is stopping) nothing was started and `done` is never called.
  // `request` must stay valid until StartLabelling returns, `response` until `done`.
  // Every request is recorded in the metrics under `rpc`. Reports whose `caller` stops waiting
  // before they reach the model fail with DEADLINE_EXCEEDED or CANCELLED, unrun.
  absl::Status StartLabelling(Rpc rpc, const v1::LabelRequest& request,
                              v1::LabelResponse* response, std::function<void()> done,
                              std::shared_ptr<const CallerState> caller);

  const ServiceOptions& options() const { return options_; }
  // OK, or why `context`'s caller may not call (recorded in the metrics under `rpc`).
  absl::Status Admit(Rpc rpc, const grpc::CallbackServerContext& context);

 private:
  Labeller& labeller_;
  const ModelBundle& bundle_;
  const ServiceOptions options_;
  Metrics& metrics_;
  const BearerTokenCheck* const token_check_;
  v1::ModelInfo model_info_;
};

}  // namespace radlabel
