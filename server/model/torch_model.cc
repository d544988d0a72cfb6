#include "model/torch_model.h"

#include <torch/script.h>
#include <torch/version.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <exception>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"

namespace radlabel {
namespace {

// The tensor's values when it is float32 of shape `expected`; otherwise an error naming `what`.
absl::StatusOr<std::vector<float>> FloatValues(const torch::IValue& value,
                                               const std::vector<int64_t>& expected,
                                               absl::string_view what) {
  if (!value.isTensor()) {
    return absl::InternalError(
        absl::StrCat("model.pt returned ", value.tagKind(), " for ", what, ", not a tensor"));
  }
  torch::Tensor tensor = value.toTensor();
  if (tensor.sizes().vec() != expected || tensor.scalar_type() != torch::kFloat32) {
    return absl::InternalError(absl::StrCat(
        "model.pt returned a ", c10::toString(tensor.scalar_type()), " tensor of shape [",
        absl::StrJoin(tensor.sizes().vec(), ", "), "] for ", what, "; the bundle contract requires float32 [",
        absl::StrJoin(expected, ", "), "]"));
  }
  tensor = tensor.contiguous();
  const float* data = tensor.data_ptr<float>();
  return std::vector<float>(data, data + tensor.numel());
}

class TorchModel final : public Model {
 public:
  TorchModel(torch::jit::script::Module module, int num_labels, int num_classes)
      : module_(std::move(module)),
        num_labels_(num_labels),
        num_classes_(num_classes),
        evidence_(module_.find_method("evidence")) {}

  bool SupportsEvidence() const override { return evidence_.has_value(); }

  absl::StatusOr<ModelOutput> Run(const TokenBatch& batch) override {
    if (batch.with_attention && !evidence_.has_value()) {
      return absl::FailedPreconditionError(
          "model.pt has no evidence() method, so it cannot return attention");
    }
    try {
      c10::InferenceMode inference_mode;
      const auto options = torch::TensorOptions().dtype(torch::kInt64);
      // from_blob does not copy; the batch outlives the call and the model does not write inputs.
      torch::Tensor ids = torch::from_blob(const_cast<int64_t*>(batch.input_ids.data()),
                                           {batch.batch_size, batch.seq_len}, options);
      torch::Tensor mask = torch::from_blob(const_cast<int64_t*>(batch.attention_mask.data()),
                                            {batch.batch_size, batch.seq_len}, options);
      const std::vector<int64_t> probabilities_shape = {batch.batch_size, num_labels_, num_classes_};
      ModelOutput out;
      if (!batch.with_attention) {
        RADLABEL_ASSIGN_OR_RETURN(
            out.probabilities, FloatValues(module_.forward({ids, mask}), probabilities_shape,
                                           "forward() (batch, labels, classes)"));
        return out;
      }
      const torch::IValue result = (*evidence_)({ids, mask});
      if (!result.isTuple() || result.toTupleRef().elements().size() != 2) {
        return absl::InternalError(
            "model.pt's evidence() must return a tuple (probabilities, attention)");
      }
      const auto& elements = result.toTupleRef().elements();
      RADLABEL_ASSIGN_OR_RETURN(
          out.probabilities, FloatValues(elements[0], probabilities_shape,
                                         "evidence() probabilities (batch, labels, classes)"));
      RADLABEL_ASSIGN_OR_RETURN(
          out.attention,
          FloatValues(elements[1], {batch.batch_size, num_labels_, batch.seq_len},
                      "evidence() attention (batch, labels, tokens)"));
      return out;
    } catch (const std::exception& e) {
      // LibTorch messages describe shapes and operators, never input text.
      return absl::InternalError(absl::StrCat("model.pt failed on a batch of ", batch.batch_size,
                                              " windows x ", batch.seq_len,
                                              " tokens: ", e.what()));
    }
  }

 private:
  torch::jit::script::Module module_;
  const int64_t num_labels_;
  const int64_t num_classes_;
  c10::optional<torch::jit::Method> evidence_;
};

// Rows of lengths `lengths`, each [CLS] (pad-free filler) [SEP], padded to the longest.
TokenBatch ProbeBatch(const std::vector<int>& lengths, const TorchModelOptions& options) {
  TokenBatch batch;
  batch.batch_size = static_cast<int>(lengths.size());
  batch.seq_len = *std::max_element(lengths.begin(), lengths.end());
  batch.input_ids.assign(static_cast<size_t>(batch.batch_size * batch.seq_len), options.pad_id);
  batch.attention_mask.assign(batch.input_ids.size(), 0);
  for (int b = 0; b < batch.batch_size; ++b) {
    int64_t* row = batch.input_ids.data() + b * batch.seq_len;
    for (int t = 0; t < lengths[b]; ++t) {
      row[t] = t == 0 ? options.cls_id : t == lengths[b] - 1 ? options.sep_id : options.unk_id;
      batch.attention_mask[static_cast<size_t>(b * batch.seq_len + t)] = 1;
    }
  }
  return batch;
}

absl::Status CheckProbabilities(const std::vector<float>& probs, int num_classes) {
  for (size_t row = 0; row < probs.size(); row += static_cast<size_t>(num_classes)) {
    double sum = 0;
    for (int c = 0; c < num_classes; ++c) sum += probs[row + static_cast<size_t>(c)];
    if (!(std::abs(sum - 1.0) < 1e-3)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model.pt returns class scores that sum to ", sum,
          " instead of 1: the model must end with a softmax over classes"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

TorchModelOptions TorchModelOptionsFor(const ModelBundle& bundle,
                                       const WordPieceTokenizer& tokenizer, int intra_op_threads) {
  TorchModelOptions options;
  options.intra_op_threads = intra_op_threads;
  options.num_labels = bundle.num_labels();
  options.num_classes = bundle.num_classes();
  options.max_tokens = bundle.config.max_tokens();
  options.pad_id = tokenizer.pad_id();
  options.unk_id = tokenizer.unk_id();
  options.cls_id = tokenizer.cls_id();
  options.sep_id = tokenizer.sep_id();
  return options;
}

absl::StatusOr<std::unique_ptr<Model>> LoadTorchModel(const std::string& path,
                                                      const TorchModelOptions& options) {
  at::set_num_threads(options.intra_op_threads);
  // The profiling executor specializes the graph per input shape and, once a served mix of batch
  // sizes and lengths has used up its re-specializations, falls back to a slower generic plan:
  // 1-caller p50 latency drifted from 2.9 to 3.9 ms after a 32-caller load. The plain
  // interpreter keeps it at 2.9-3.1 ms with no measurable throughput cost (offline ceiling,
  // shuffled batch shapes, 3 runs each). Process-wide; this is the only torch user.
  torch::jit::setGraphExecutorOptimize(false);
  torch::jit::script::Module module;
  try {
    module = torch::jit::load(path);
  } catch (const std::exception& e) {  // ErrorReport (unknown operator) is not a c10::Error
    return absl::InvalidArgumentError(absl::StrCat(
        path, " cannot be loaded by LibTorch ", TORCH_VERSION,
        ": script and save the model with torch ", TORCH_VERSION_MAJOR, ".", TORCH_VERSION_MINOR,
        " (README, 'Model bundle'). LibTorch said: ", e.what()));
  }
  module.eval();
  auto model = std::make_unique<TorchModel>(std::move(module), options.num_labels,
                                            options.num_classes);
  // Probe with a full window and a short padded row: the shapes and padding every batch uses;
  // evidence() too when the module has it.
  TokenBatch probe = ProbeBatch({options.max_tokens, 3}, options);
  for (const bool with_attention : {false, true}) {
    if (with_attention && !model->SupportsEvidence()) break;
    probe.with_attention = with_attention;
    auto out = model->Run(probe);
    if (!out.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " does not fit the bundle contract: ", out.status().message()));
    }
    const absl::Status sums = CheckProbabilities(out->probabilities, options.num_classes);
    if (!sums.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", sums.message()));
  }
  for (int i = 0; i < options.warmup_runs; ++i) {
    RADLABEL_RETURN_IF_ERROR(
        model->Run(ProbeBatch(std::vector<int>(8, options.max_tokens), options)).status());
  }
  return model;
}

}  // namespace radlabel
