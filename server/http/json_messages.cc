#include "http/json_messages.h"

#include <google/protobuf/util/json_util.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "radlabel/v1/http.pb.h"

namespace radlabel {

absl::StatusOr<v1::LabelRequest> ParseLabelRequest(absl::string_view body) {
  v1::HttpLabelRequest parsed;
  const auto status = google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(body.data(), body.size()), &parsed);
  if (!status.ok()) {
    // protobuf quotes the body around the failure on the lines after the first: report text.
    const absl::string_view reason(status.message().data(), status.message().size());
    return absl::InvalidArgumentError(absl::StrCat(
        "the body is not a label request: ", reason.substr(0, reason.find('\n')),
        "; send {\"reports\": [{\"id\": \"...\", \"text\": \"...\"}]} (docs/http-api.md)"));
  }
  v1::LabelRequest request;
  request.set_include_evidence(parsed.include_evidence());
  request.mutable_reports()->Reserve(parsed.reports_size());
  for (v1::HttpReport& report : *parsed.mutable_reports()) {
    v1::Report* out = request.add_reports();
    out->set_id(std::move(*report.mutable_id()));
    out->set_text(std::move(*report.mutable_text()));
  }
  return request;
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing fails only for messages that JSON cannot hold (Any of an unknown type): not ours.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

std::string ErrorJson(const absl::Status& status) {
  v1::HttpError error;
  error.set_code(absl::StatusCodeToString(status.code()));
  error.set_message(std::string(status.message()));
  return ToJson(error);
}

}  // namespace radlabel
