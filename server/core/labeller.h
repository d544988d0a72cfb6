// Labels reports: validates each one, tokenizes it, splits it into model windows, submits the
// windows of a whole request to the batcher, and combines the windows' probabilities into one
// result per report with a decision per label. Free of gRPC: the service layer converts.
#pragma once

#include <functional>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "batching/batcher.h"
#include "model/bundle.h"
#include "text/chunker.h"
#include "text/tokenizer.h"

namespace radlabel {

struct ReportRef {
  absl::string_view id;
  absl::string_view text;  // must stay valid until Label() returns
};

struct ReportOutcome {
  // OK, or why this report was not labelled (INVALID_ARGUMENT for bad input, or the error of
  // the model batch it was in).
  absl::Status status;
  // [labels x classes] probabilities, row-major; empty unless status is OK.
  std::vector<float> probabilities;
  // Decided class index per label; empty unless status is OK.
  std::vector<int> decisions;
  int num_tokens = 0;
  int num_windows = 0;
};

// Per label: the positive class when its probability reaches the threshold, otherwise the more
// probable of the other classes (the lower index on ties).
int DecideClass(absl::Span<const float> class_probabilities, int positive_class, float threshold);

class Labeller {
 public:
  // All three must outlive the labeller.
  Labeller(const ModelBundle& bundle, const WordPieceTokenizer& tokenizer, Batcher& batcher);

  using Done = std::function<void(std::vector<ReportOutcome> outcomes)>;

  // Labels `reports`. On OK, `done` is called exactly once with one outcome per report, in
  // order: possibly before Label returns (when no report needs the model), otherwise on the
  // batcher's thread. On error (RESOURCE_EXHAUSTED: queue full; UNAVAILABLE: shutting down)
  // nothing was queued and `done` is never called. Reports are tokenized on the calling thread.
  absl::Status Label(absl::Span<const ReportRef> reports, Done done);

 private:
  absl::Status Validate(const ReportRef& report) const;

  const ModelBundle& bundle_;
  const WordPieceTokenizer& tokenizer_;
  Batcher& batcher_;
  const ChunkingOptions chunking_;
};

}  // namespace radlabel
