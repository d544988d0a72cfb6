#include "batching/batcher_options.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace radlabel {

BatcherOptions BatcherOptions::ForDevice(absl::string_view device) {
  BatcherOptions options;
  if (absl::StartsWith(device, "cuda")) {
    options.max_batch_size = 256;
    options.max_batch_tokens = 65536;
    options.max_queue_windows = 32768;
    options.max_queue_tokens = int64_t{1} << 23;
    options.model_workers = 4;
  }
  return options;
}

absl::Status BatcherOptions::Validate(int model_max_tokens) const {
  if (max_batch_size < 1 || max_batch_size > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_batch_size is ", max_batch_size, "; choose 1..4096"));
  }
  if (max_batch_tokens < model_max_tokens) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_batch_tokens is ", max_batch_tokens, ", below the model window of ",
        model_max_tokens, " tokens: one full window must fit a batch; raise it"));
  }
  if (max_queue_delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("max_queue_delay is negative; use 0 to never wait");
  }
  if (model_workers < 1 || model_workers > kMaxModelWorkers) {
    return absl::InvalidArgumentError(
        absl::StrCat("model_workers is ", model_workers, "; choose 1..", kMaxModelWorkers));
  }
  if (max_queue_windows < max_batch_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_queue_windows is ", max_queue_windows, ", below max_batch_size ",
                     max_batch_size, "; a full batch must fit the queue"));
  }
  if (max_queue_tokens < model_max_tokens) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_queue_tokens is ", max_queue_tokens, ", below the model window of ", model_max_tokens,
        " tokens: one full window must fit the queue; raise it"));
  }
  return absl::OkStatus();
}

}  // namespace radlabel
