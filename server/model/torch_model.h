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

// The options that make LoadTorchModel check `bundle`'s model against its labels.json.
TorchModelOptions TorchModelOptionsFor(const ModelBundle& bundle,
                                       const WordPieceTokenizer& tokenizer, int intra_op_threads);

// Loads and checks model.pt: the module must load in this LibTorch, accept
// (int64 [B,T], int64 [B,T]) and return float32 [B, num_labels, num_classes] probabilities.
// Then warms it up. Errors name the file and the problem.
absl::StatusOr<std::unique_ptr<Model>> LoadTorchModel(const std::string& path,
                                                      const TorchModelOptions& options);

}  // namespace radlabel
