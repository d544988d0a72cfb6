// The radlabel.v1.Labeller gRPC service (callback API). Reactors check the caller, hand the
// request to the RequestLabeller and return; the batch's completion finishes the call. No
// reaction blocks on the model. The gRPC health service is outside the token check, so that
// orchestrator probes (which send no token) still reach it.
#pragma once

#include "radlabel/v1/labeller.grpc.pb.h"
#include "service/request_labeller.h"

namespace radlabel {

class LabellerService final : public v1::Labeller::CallbackService {
 public:
  // `requests` must outlive the service.
  explicit LabellerService(RequestLabeller& requests) : requests_(requests) {}

  grpc::ServerUnaryReactor* Label(grpc::CallbackServerContext* context,
                                  const v1::LabelRequest* request,
                                  v1::LabelResponse* response) override;
  grpc::ServerBidiReactor<v1::LabelRequest, v1::LabelResponse>* LabelStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* GetModelInfo(grpc::CallbackServerContext* context,
                                         const v1::GetModelInfoRequest* request,
                                         v1::ModelInfo* response) override;

 private:
  RequestLabeller& requests_;
};

}  // namespace radlabel
