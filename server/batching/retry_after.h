// A hint that a RESOURCE_EXHAUSTED status carries: how long until the refused work would likely
// fit. The batcher sets it from its queue and the model's measured speed; the service sends it
// to clients as the grpc-retry-pushback-ms trailer, which gRPC retry policies honour.
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace radlabel {

void SetRetryAfter(absl::Status& status, absl::Duration wait);

// The hint of `status`, or std::nullopt when it has none.
std::optional<absl::Duration> RetryAfter(const absl::Status& status);

}  // namespace radlabel
