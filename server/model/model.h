// The torch-free interface to a loaded model. Only torch_model.cc includes LibTorch; everything
// else (batcher, service, tests with fake models) sees this header.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace radlabel {

// A padded batch of token windows, row-major [batch_size, seq_len].
struct TokenBatch {
  int batch_size = 0;
  int seq_len = 0;
  std::vector<int64_t> input_ids;       // [CLS] ... [SEP] then pad ids
  std::vector<int64_t> attention_mask;  // 1 on real tokens, 0 on padding
  // Also return each label's pooling attention (evidence). Only for models that support it.
  bool with_attention = false;
};

struct ModelOutput {
  // Class probabilities, row-major [batch_size, num_labels, num_classes].
  std::vector<float> probabilities;
  // With TokenBatch::with_attention: row-major [batch_size, num_labels, seq_len], each label's
  // weight over the window's tokens (0 on padding); otherwise empty.
  std::vector<float> attention;
};

class Model {
 public:
  virtual ~Model() = default;
  // Thread-safe: the batcher's workers call it concurrently.
  virtual absl::StatusOr<ModelOutput> Run(const TokenBatch& batch) = 0;
  // Whether Run can return attention (the bundle's module exports evidence()).
  virtual bool SupportsEvidence() const = 0;
};

}  // namespace radlabel
