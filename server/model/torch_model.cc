#include "model/torch_model.h"

#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>
#include <ATen/Parallel.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"

namespace radlabel {
namespace {

// The tensor as flat float32, on its device, when it has shape `expected` and is float32 or the
// serving `precision`; otherwise an error naming `what`.
absl::StatusOr<torch::Tensor> CheckedOutput(const torch::IValue& value,
                                            const std::vector<int64_t>& expected,
                                            torch::ScalarType precision, absl::string_view what) {
  if (!value.isTensor()) {
    return absl::InternalError(
        absl::StrCat("model.pt returned ", value.tagKind(), " for ", what, ", not a tensor"));
  }
  const torch::Tensor& tensor = value.toTensor();
  const torch::ScalarType type = tensor.scalar_type();
  if (tensor.sizes().vec() != expected || (type != torch::kFloat32 && type != precision)) {
    return absl::InternalError(absl::StrCat(
        "model.pt returned a ", c10::toString(type), " tensor of shape [",
        absl::StrJoin(tensor.sizes().vec(), ", "), "] for ", what,
        "; the bundle contract requires float32 (or the serving precision) [",
        absl::StrJoin(expected, ", "), "]"));
  }
  return tensor.to(torch::kFloat32).flatten();
}

// The CUDA stream of the calling thread on `device`: each batcher worker has its own, so one
// worker's copies and kernels overlap another's.
c10::Stream ThisThreadsStream(const torch::Device& device) {
  thread_local std::optional<c10::Stream> stream;
  if (!stream.has_value() || stream->device() != device) {
    stream = c10::impl::getDeviceGuardImpl(device.type())->getStreamFromGlobalPool(device);
  }
  return *stream;
}

class TorchModel final : public Model {
 public:
  TorchModel(torch::jit::script::Module module, torch::Device device, torch::ScalarType precision,
             int num_labels, int num_classes)
      : module_(std::move(module)),
        device_(device),
        precision_(precision),
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
      std::optional<c10::StreamGuard> on_this_threads_stream;
      if (device_.is_cuda()) on_this_threads_stream.emplace(ThisThreadsStream(device_));
      const std::vector<torch::IValue> inputs = {Input(batch.input_ids, batch),
                                                 Input(batch.attention_mask, batch)};
      const std::vector<int64_t> probabilities_shape = {batch.batch_size, num_labels_, num_classes_};
      torch::Tensor probabilities, attention;  // flat float32, on the model's device
      if (!batch.with_attention) {
        RADLABEL_ASSIGN_OR_RETURN(probabilities,
                                  CheckedOutput(module_.forward(inputs), probabilities_shape,
                                                precision_, "forward() (batch, labels, classes)"));
      } else {
        const torch::IValue result = (*evidence_)(inputs);
        if (!result.isTuple() || result.toTupleRef().elements().size() != 2) {
          return absl::InternalError(
              "model.pt's evidence() must return a tuple (probabilities, attention)");
        }
        const auto& elements = result.toTupleRef().elements();
        RADLABEL_ASSIGN_OR_RETURN(
            probabilities, CheckedOutput(elements[0], probabilities_shape, precision_,
                                         "evidence() probabilities (batch, labels, classes)"));
        RADLABEL_ASSIGN_OR_RETURN(
            attention, CheckedOutput(elements[1], {batch.batch_size, num_labels_, batch.seq_len},
                                     precision_, "evidence() attention (batch, labels, tokens)"));
      }
      return ToHost(probabilities, attention);
    } catch (const std::exception& e) {
      // LibTorch messages describe shapes and operators, never input text.
      return absl::InternalError(absl::StrCat("model.pt failed on a batch of ", batch.batch_size,
                                              " windows x ", batch.seq_len,
                                              " tokens: ", e.what()));
    }
  }

 private:
  // One [batch_size, seq_len] input on the model's device. On CPU a view of `values` (the batch
  // outlives the call and the model does not write its inputs); on CUDA staged in pinned memory
  // and copied asynchronously on the current stream.
  torch::Tensor Input(const std::vector<int64_t>& values, const TokenBatch& batch) const {
    const auto int64 = torch::TensorOptions().dtype(torch::kInt64);
    torch::Tensor view = torch::from_blob(const_cast<int64_t*>(values.data()),
                                          {batch.batch_size, batch.seq_len}, int64);
    if (!device_.is_cuda()) return view;
    torch::Tensor pinned = torch::empty(view.sizes(), int64.pinned_memory(true));
    pinned.copy_(view);
    return pinned.to(device_, torch::kInt64, /*non_blocking=*/true);
  }

  // The flat float32 outputs (`attention` undefined without evidence) copied into a
  // ModelOutput. On CUDA both first go to pinned host memory in one asynchronous copy, then this
  // thread waits for its own stream alone; on CPU they are read where they are.
  ModelOutput ToHost(const torch::Tensor& probabilities, const torch::Tensor& attention) const {
    if (!device_.is_cuda()) return CopyOut(probabilities, attention);
    const torch::Tensor flat =
        attention.defined() ? torch::cat({probabilities, attention}) : probabilities;
    torch::Tensor host = torch::empty(
        flat.sizes(), torch::TensorOptions().dtype(torch::kFloat32).pinned_memory(true));
    host.copy_(flat, /*non_blocking=*/true);
    ThisThreadsStream(device_).synchronize();
    const int64_t split = probabilities.numel();
    return CopyOut(host.narrow(0, 0, split),
                   attention.defined() ? host.narrow(0, split, host.numel() - split) : attention);
  }

  static ModelOutput CopyOut(const torch::Tensor& probabilities, const torch::Tensor& attention) {
    ModelOutput out;
    const torch::Tensor p = probabilities.contiguous();
    out.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    if (attention.defined()) {
      const torch::Tensor a = attention.contiguous();
      out.attention.assign(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
    }
    return out;
  }

  torch::jit::script::Module module_;
  const torch::Device device_;
  const torch::ScalarType precision_;
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

// Class scores must sum to 1 up to the rounding of `precision`.
absl::Status CheckProbabilities(const std::vector<float>& probs, int num_classes,
                                torch::ScalarType precision) {
  const double tolerance = precision == torch::kFloat32 ? 1e-3 : 2e-2;
  for (size_t row = 0; row < probs.size(); row += static_cast<size_t>(num_classes)) {
    double sum = 0;
    for (int c = 0; c < num_classes; ++c) sum += probs[row + static_cast<size_t>(c)];
    if (!(std::abs(sum - 1.0) < tolerance)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model.pt returns class scores that sum to ", sum,
          " instead of 1: the model must end with a softmax over classes"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<torch::Device> ParseDevice(const std::string& name) {
  std::optional<torch::Device> device;
  try {
    device.emplace(name);
  } catch (const std::exception&) {
  }
  if (!device.has_value() || !(device->is_cpu() || device->is_cuda())) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown device \"", name, "\": use cpu, cuda or cuda:N"));
  }
  if (device->is_cpu()) return *device;
  if (!torch::cuda::is_available()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "device ", name, " asked for, but this LibTorch (", TORCH_VERSION,
        ") sees no CUDA GPU: it was built without CUDA (Debian's is CPU-only) or no GPU is "
        "visible. Use --device=cpu, or build against a CUDA LibTorch (bench/gpu/run.sh)"));
  }
  const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
  if (device->has_index() && device->index() >= count) {
    return absl::InvalidArgumentError(absl::StrCat("device ", name, " asked for, but only ", count,
                                                   " CUDA device(s) are visible"));
  }
  if (!device->has_index()) device->set_index(0);
  return *device;
}

// `name` as ResolvedPrecision gives it.
absl::StatusOr<torch::ScalarType> ParsePrecision(const std::string& name,
                                                 const torch::Device& device) {
  if (name == "float32") return torch::kFloat32;
  if (name == "bfloat16") return torch::kBFloat16;
  if (name == "float16") {
    if (device.is_cuda()) return torch::kFloat16;
    return absl::InvalidArgumentError(
        "precision float16 needs a CUDA device (LibTorch's CPU kernels lack most float16 "
        "operators): use bfloat16 or float32 on CPU");
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown precision \"", name, "\": use auto, float32, float16 or bfloat16"));
}

// Casts floating-point parameters and buffers only: Module::to(dtype) would also turn integer
// and boolean buffers (token-id lookup tables) into floats.
void CastFloatingState(torch::jit::script::Module& module, torch::ScalarType precision) {
  at::NoGradGuard no_grad;
  for (torch::Tensor tensor : module.parameters()) {
    if (tensor.is_floating_point()) tensor.set_data(tensor.to(precision));
  }
  for (torch::Tensor tensor : module.buffers()) {
    if (tensor.is_floating_point()) tensor.set_data(tensor.to(precision));
  }
}

}  // namespace

std::string ResolvedPrecision(const TorchModelOptions& options) {
  if (options.precision != "auto") return options.precision;
  return absl::StartsWith(options.device, "cuda") ? "float16" : "float32";
}

TorchModelOptions TorchModelOptionsFor(const ModelBundle& bundle,
                                       const WordPieceTokenizer& tokenizer) {
  TorchModelOptions options;
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
  if (options.intra_op_threads < 1) {
    return absl::InvalidArgumentError("intra-op threads must be at least 1");
  }
  RADLABEL_ASSIGN_OR_RETURN(const torch::Device device, ParseDevice(options.device));
  RADLABEL_ASSIGN_OR_RETURN(const torch::ScalarType precision,
                            ParsePrecision(ResolvedPrecision(options), device));
  at::set_num_threads(options.intra_op_threads);
  // The profiling executor specializes the graph per input shape and, once a served mix of batch
  // sizes and lengths has used up its re-specializations, falls back to a slower generic plan,
  // so latency drifts up after a varied load. The plain interpreter keeps latency flat at no
  // throughput cost (docs/tuning.md). Process-wide; this is the only torch user.
  torch::jit::setGraphExecutorOptimize(false);
  torch::jit::script::Module module;
  try {
    module = torch::jit::load(path, device);
  } catch (const std::exception& e) {  // ErrorReport (unknown operator) is not a c10::Error
    return absl::InvalidArgumentError(absl::StrCat(
        path, " cannot be loaded by LibTorch ", TORCH_VERSION,
        ": script and save the model with torch ", TORCH_VERSION_MAJOR, ".", TORCH_VERSION_MINOR,
        " (docs/model-bundle.md). LibTorch said: ", e.what()));
  }
  module.eval();
  if (precision != torch::kFloat32) CastFloatingState(module, precision);
  auto model = std::make_unique<TorchModel>(std::move(module), device, precision,
                                            options.num_labels, options.num_classes);
  // Probe with a full window and a short padded row: the shapes and padding every batch uses;
  // evidence() too when the module has it.
  TokenBatch probe = ProbeBatch({options.max_tokens, 3}, options);
  for (const bool with_attention : {false, true}) {
    if (with_attention && !model->SupportsEvidence()) break;
    probe.with_attention = with_attention;
    auto out = model->Run(probe);
    if (!out.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " does not fit the bundle contract on ", options.device, " in ",
          c10::toString(precision), ": ", out.status().message()));
    }
    const absl::Status sums = CheckProbabilities(out->probabilities, options.num_classes, precision);
    if (!sums.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", sums.message()));
  }
  for (int i = 0; i < options.warmup_runs; ++i) {
    RADLABEL_RETURN_IF_ERROR(
        model->Run(ProbeBatch(std::vector<int>(8, options.max_tokens), options)).status());
  }
  return model;
}

}  // namespace radlabel
