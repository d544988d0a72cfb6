// The one place where internal statuses become gRPC statuses. absl::StatusCode values are the
// google.rpc.Code values that grpc::StatusCode also uses, so the code is copied unchanged.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace radlabel {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace radlabel
