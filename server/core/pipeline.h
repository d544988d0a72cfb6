// One bundle's labelling pipeline, wired in one place: bundle -> tokenizer -> model -> batcher
// -> labeller. radlabel-server, the request fuzzer and the labeller's tests build it. The model
// comes from the caller (LibTorch in the server, a stand-in elsewhere), so that this stays free
// of LibTorch.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "batching/batcher.h"
#include "batching/batcher_options.h"
#include "core/labeller.h"
#include "model/bundle.h"
#include "model/model.h"
#include "text/tokenizer.h"

namespace radlabel {

class Pipeline {
 public:
  // Starts the batcher's workers on `model`. Fails when `batching` does not fit the bundle
  // (BatcherOptions::Validate says which field to fix). The pipeline owns every part; parts
  // refer to one another, so a pipeline never moves.
  static absl::StatusOr<std::unique_ptr<Pipeline>> Create(ModelBundle bundle,
                                                          WordPieceTokenizer tokenizer,
                                                          std::unique_ptr<Model> model,
                                                          const BatcherOptions& batching);
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  const ModelBundle& bundle() const { return bundle_; }
  const WordPieceTokenizer& tokenizer() const { return tokenizer_; }
  Model& model() { return *model_; }
  Batcher& batcher() { return *batcher_; }
  Labeller& labeller() { return *labeller_; }

 private:
  Pipeline(ModelBundle bundle, WordPieceTokenizer tokenizer, std::unique_ptr<Model> model);

  // Declared in the order they are built; destroyed in reverse, each before what it uses.
  const ModelBundle bundle_;
  const WordPieceTokenizer tokenizer_;
  const std::unique_ptr<Model> model_;
  std::unique_ptr<Batcher> batcher_;
  std::unique_ptr<Labeller> labeller_;
};

}  // namespace radlabel
