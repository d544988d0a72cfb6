#include "service/service_options.h"

#include "absl/strings/str_cat.h"

namespace radlabel {

absl::Status ServiceOptions::Validate() const {
  if (max_reports_per_request < 1 || max_reports_per_request > 100000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_reports_per_request is ", max_reports_per_request, "; choose 1..100000"));
  }
  if (max_stream_messages_in_flight < 1) {
    return absl::InvalidArgumentError(absl::StrCat("max_stream_messages_in_flight is ",
                                                   max_stream_messages_in_flight,
                                                   "; it must be at least 1"));
  }
  if (max_report_bytes < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_report_bytes is ", max_report_bytes, "; it must be at least 1"));
  }
  if (max_message_bytes < 1024) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_message_bytes is ", max_message_bytes, "; choose at least 1024 (default 64 MiB)"));
  }
  if (max_request_bytes_in_flight < max_message_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_request_bytes_in_flight is ", max_request_bytes_in_flight,
        "; it must be at least max_message_bytes (", max_message_bytes,
        "), or no message of the largest size could ever be read"));
  }
  if (retry_pushback < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("retry_pushback is negative; use 0 to retry at once");
  }
  return absl::OkStatus();
}

}  // namespace radlabel
