#include "core/pipeline.h"

#include "common/status_macros.h"

namespace radlabel {

Pipeline::Pipeline(ModelBundle bundle, WordPieceTokenizer tokenizer, std::unique_ptr<Model> model)
    : bundle_(std::move(bundle)), tokenizer_(std::move(tokenizer)), model_(std::move(model)) {}

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::Create(ModelBundle bundle,
                                                           WordPieceTokenizer tokenizer,
                                                           std::unique_ptr<Model> model,
                                                           const BatcherOptions& batching) {
  std::unique_ptr<Pipeline> pipeline(
      new Pipeline(std::move(bundle), std::move(tokenizer), std::move(model)));
  const ModelBundle& b = pipeline->bundle_;
  RADLABEL_ASSIGN_OR_RETURN(
      pipeline->batcher_,
      Batcher::Create(batching, pipeline->model_.get(), pipeline->tokenizer_.pad_id(),
                      b.num_labels() * b.num_classes(), b.config.max_tokens()));
  pipeline->labeller_ = std::make_unique<Labeller>(b, pipeline->tokenizer_, *pipeline->batcher_,
                                                   pipeline->model_->SupportsEvidence());
  return pipeline;
}

}  // namespace radlabel
