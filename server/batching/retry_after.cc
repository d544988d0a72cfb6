#include "batching/retry_after.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace radlabel {
namespace {

constexpr char kRetryAfterUrl[] = "type.radlabel.dev/radlabel.RetryAfterNanoseconds";

}  // namespace

void SetRetryAfter(absl::Status& status, absl::Duration wait) {
  status.SetPayload(kRetryAfterUrl, absl::Cord(std::to_string(absl::ToInt64Nanoseconds(wait))));
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  const auto payload = status.GetPayload(kRetryAfterUrl);  // absl::optional in Debian's Abseil
  int64_t nanoseconds = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &nanoseconds)) {
    return std::nullopt;
  }
  return absl::Nanoseconds(nanoseconds);
}

}  // namespace radlabel
