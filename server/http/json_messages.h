// The HTTP API's bodies: the API's messages in protobuf's JSON mapping (field names as in the
// .proto files, every field written, defaults included), and the request's HTTP-facing form
// whose report text is a plain string (radlabel/v1/http.proto). No JSON is written by hand.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "radlabel/v1/labeller.pb.h"

namespace radlabel {

// The LabelRequest that the JSON `body` (an HttpLabelRequest) describes; INVALID_ARGUMENT
// naming what is wrong when it is not one (unknown fields included).
absl::StatusOr<v1::LabelRequest> ParseLabelRequest(absl::string_view body);

// `message` as JSON.
std::string ToJson(const google::protobuf::Message& message);

// The body of an answer that is not 200: an HttpError holding `status`'s code name and message.
std::string ErrorJson(const absl::Status& status);

}  // namespace radlabel
