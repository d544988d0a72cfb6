// Loads a bundle's model.pt with LibTorch. The declarations here are torch-free; torch_model.cc
// is the one translation unit of radlabel that includes <torch/script.h>.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "model/bundle.h"
#include "model/model.h"
#include "text/tokenizer.h"

namespace radlabel {

struct TorchModelOptions {
  // LibTorch intra-op threads (process-wide setting) of each model call. Default 1: the batcher
  // runs one call per core (BatcherOptions::model_workers), which beats splitting each call.
  int intra_op_threads = 1;
  // Where the model runs: "cpu" (default) or "cuda" / "cuda:N". CUDA needs a LibTorch built with
  // CUDA (Debian's is CPU-only; bench/gpu/run.sh builds against PyTorch's) and a visible GPU.
  // On CUDA each calling thread (batcher worker) gets its own CUDA stream, inputs are staged in
  // pinned host memory and copied asynchronously, and the outputs come back in one copy per
  // batch, so that one worker's copies and tokenization overlap another's compute.
  std::string device = "cpu";
  // Floating-point type of the weights and activations: "float32", "float16" (CUDA only) or
  // "bfloat16"; "auto" (default) is float16 on CUDA and float32 on CPU. Outputs are returned as
  // float32 whatever the precision. Integer and boolean buffers keep their type.
  std::string precision = "auto";
  // The output shape the model must produce, from labels.json.
  int num_labels = 0;
  int num_classes = 0;
  // Model window in tokens; the probe and warm-up run at this length.
  int max_tokens = 0;
  // Token ids used to build probe and warm-up inputs.
  int32_t pad_id = 0;
  int32_t unk_id = 0;
  int32_t cls_id = 0;
  int32_t sep_id = 0;
  // Forward passes at start-up, so that the first requests do not pay one-time costs.
  int warmup_runs = 3;
};

// The options that make LoadTorchModel check `bundle`'s model against its labels.json, with
// the runtime choices of flags (threads, device, precision) left at their defaults.
TorchModelOptions TorchModelOptionsFor(const ModelBundle& bundle,
                                       const WordPieceTokenizer& tokenizer);

// options.precision with "auto" resolved for options.device: float16 on CUDA, float32 elsewhere.
std::string ResolvedPrecision(const TorchModelOptions& options);

// Loads model.pt onto options.device in options.precision and checks it: the module must load in
// this LibTorch, accept (int64 [B,T], int64 [B,T]) and return [B, num_labels, num_classes]
// probabilities (float32, or the chosen precision). Then warms it up. Errors name the file and
// the problem; an unknown device or precision, or CUDA without a CUDA LibTorch or GPU, is
// INVALID_ARGUMENT.
absl::StatusOr<std::unique_ptr<Model>> LoadTorchModel(const std::string& path,
                                                      const TorchModelOptions& options);

}  // namespace radlabel
