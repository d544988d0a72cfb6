// The radlabel.v1.Labeller gRPC service (callback API). Reactors check the caller, hand the
// request to the RequestLabeller and return; the batch's completion finishes the call. No
// reaction blocks on the model. The gRPC health service is outside the token check, so that
// orchestrator probes (which send no token) still reach it.
//
// Label and LabelStream take their messages as bytes, so that the service decides when a
// message is read and parses it itself: a call is checked for its token before any of its
// message is read (an unauthenticated caller costs no memory), a message is read only once the
// server-wide RequestBytesBudget has room for a message of the largest size (until then the
// call waits, reading nothing, and HTTP/2 flow control holds the bytes at the client), and a
// message that is not a LabelRequest is answered INVALID_ARGUMENT and counted. Label is served
// through `label_method()`, a generic service (gRPC reads a unary method's message before its
// handler runs; a generic call's reactor starts before), which must be registered beside this
// service with ServerBuilder::RegisterCallbackGenericService.
#pragma once

#include <grpcpp/generic/async_generic_service.h>

#include "radlabel/v1/labeller.grpc.pb.h"
#include "service/request_labeller.h"

namespace radlabel {

using LabellerMethods = v1::Labeller::WithCallbackMethod_GetModelInfo<
    v1::Labeller::WithRawCallbackMethod_LabelStream<
        v1::Labeller::WithGenericMethod_Label<v1::Labeller::Service>>>;

class LabellerService final : public LabellerMethods {
 public:
  // `requests` must outlive the service; its request_bytes() is the budget.
  explicit LabellerService(RequestLabeller& requests);

  // Serves /radlabel.v1.Labeller/Label (and answers UNIMPLEMENTED for any unknown method).
  grpc::CallbackGenericService* label_method() { return &label_method_; }

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* LabelStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* GetModelInfo(grpc::CallbackServerContext* context,
                                         const v1::GetModelInfoRequest* request,
                                         v1::ModelInfo* response) override;

 private:
  class LabelMethod final : public grpc::CallbackGenericService {
   public:
    explicit LabelMethod(LabellerService& service) : service_(service) {}
    grpc::ServerGenericBidiReactor* CreateReactor(
        grpc::GenericCallbackServerContext* context) override;

   private:
    LabellerService& service_;
  };

  RequestLabeller& requests_;
  LabelMethod label_method_;
};

}  // namespace radlabel
