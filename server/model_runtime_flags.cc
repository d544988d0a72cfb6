#include "model_runtime_flags.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "available_cores.h"

namespace {

// "Default 4 on CPU, 256 on CUDA." for one BatcherOptions field.
template <typename Field>
std::string DeviceDefaults(Field field) {
  return absl::StrCat(" Default ", radlabel::BatcherOptions::ForDevice("cpu").*field, " on CPU, ",
                      radlabel::BatcherOptions::ForDevice("cuda").*field, " on CUDA.");
}

}  // namespace

ABSL_FLAG(std::string, device, radlabel::TorchModelOptions().device,
          "Where the model runs: cpu, cuda or cuda:N (needs a CUDA LibTorch; bench/gpu/run.sh).");
ABSL_FLAG(std::string, precision, radlabel::TorchModelOptions().precision,
          "Model weights and activations: auto (float16 on CUDA, float32 on CPU), float32, "
          "float16 (CUDA only) or bfloat16.");
ABSL_FLAG(int, intra_op_threads, radlabel::TorchModelOptions().intra_op_threads,
          "LibTorch intra-op threads of each model call. --model_workers x --intra_op_threads = "
          "the physical cores the model may use.");
ABSL_FLAG(std::optional<int>, model_workers, std::nullopt,
          absl::StrCat("Threads that run batches on the model concurrently (1..64). Default on "
                       "CPU: the cores the server may use (its CPU affinity, lowered to its "
                       "cgroup's CPU quota, e.g. a Kubernetes CPU limit, at most 64); ",
                       radlabel::BatcherOptions::ForDevice("cuda").model_workers, " on CUDA."));
ABSL_FLAG(std::optional<int>, max_batch_size, std::nullopt,
          absl::StrCat("Most windows in one model call (1..4096).",
                       DeviceDefaults(&radlabel::BatcherOptions::max_batch_size)));
ABSL_FLAG(std::optional<int>, max_batch_tokens, std::nullopt,
          absl::StrCat("Most padded tokens (rows x longest row) in one model call; at least the "
                       "model window.",
                       DeviceDefaults(&radlabel::BatcherOptions::max_batch_tokens)));
ABSL_FLAG(std::optional<int64_t>, max_queue_tokens, std::nullopt,
          absl::StrCat("Most tokens queued (the queue's memory bound); beyond it calls get "
                       "RESOURCE_EXHAUSTED.",
                       DeviceDefaults(&radlabel::BatcherOptions::max_queue_tokens)));
ABSL_FLAG(absl::Duration, max_queue_delay, radlabel::BatcherOptions().max_queue_delay,
          "Longest wait for batch-mates once the first window is queued, e.g. 2ms; 0 never waits.");
ABSL_FLAG(std::optional<int>, max_queue_windows, std::nullopt,
          absl::StrCat("Most windows queued; beyond it calls get RESOURCE_EXHAUSTED.",
                       DeviceDefaults(&radlabel::BatcherOptions::max_queue_windows)));

namespace radlabel {

ModelRuntime ModelRuntimeFromFlags(TorchModelOptions model) {
  model.device = absl::GetFlag(FLAGS_device);
  model.precision = absl::GetFlag(FLAGS_precision);
  model.intra_op_threads = absl::GetFlag(FLAGS_intra_op_threads);
  BatcherOptions batching = BatcherOptions::ForDevice(model.device);
  if (!absl::StartsWith(model.device, "cuda")) {
    batching.model_workers = std::min(AvailableCores(), kMaxModelWorkers);
  }
  batching.model_workers = absl::GetFlag(FLAGS_model_workers).value_or(batching.model_workers);
  batching.max_batch_size = absl::GetFlag(FLAGS_max_batch_size).value_or(batching.max_batch_size);
  batching.max_batch_tokens =
      absl::GetFlag(FLAGS_max_batch_tokens).value_or(batching.max_batch_tokens);
  batching.max_queue_windows =
      absl::GetFlag(FLAGS_max_queue_windows).value_or(batching.max_queue_windows);
  batching.max_queue_tokens =
      absl::GetFlag(FLAGS_max_queue_tokens).value_or(batching.max_queue_tokens);
  batching.max_queue_delay = absl::GetFlag(FLAGS_max_queue_delay);
  return {model, batching};
}

}  // namespace radlabel
