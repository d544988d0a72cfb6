// Labels reports: validates each one, tokenizes it, splits it into model windows, submits the
// windows of a whole request to the batcher, and combines the windows' probabilities into one
// result per report with a decision per label. Free of gRPC: the service layer converts.
// Each report is validated alone (id, empty text, size, UTF-8, an id repeated within the request):
// a bad report fails with INVALID_ARGUMENT and the rest of the request goes on.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "batching/batcher.h"
#include "core/combine.h"
#include "core/evidence.h"
#include "model/bundle.h"
#include "text/tokenizer.h"
#include "text/windows.h"

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
  // With LabelOptions::evidence: per label, the supporting sentence of every label not decided
  // "negative"; empty otherwise.
  std::vector<std::optional<Evidence>> evidence;
  int num_tokens = 0;
  int num_windows = 0;
};

struct LabelOptions {
  // Return each non-negative label's supporting sentence. Needs a model that supports
  // evidence; costs a copy of the attention weights per window.
  bool evidence = false;
  // Who waits for the reports (deadline, cancellation): windows nobody waits for any more are
  // dropped before the model and their reports fail with DEADLINE_EXCEEDED or CANCELLED. Null:
  // always run.
  std::shared_ptr<const CallerState> caller;
  // Longest report text accepted, in bytes; a longer report fails alone with INVALID_ARGUMENT.
  // Default 256 KiB (head-MRI reports are a few KiB).
  size_t max_report_bytes = 256 << 10;
};

class Labeller {
 public:
  // All three must outlive the labeller. `evidence_supported`: the model can return attention.
  Labeller(const ModelBundle& bundle, const WordPieceTokenizer& tokenizer, Batcher& batcher,
           bool evidence_supported);

  using Done = std::function<void(std::vector<ReportOutcome> outcomes)>;

  // Labels `reports`. On OK, `done` is called exactly once with one outcome per report, in
  // order: possibly before Label returns (when no report needs the model), otherwise on the
  // batcher's thread. On error (RESOURCE_EXHAUSTED: queue full; UNAVAILABLE: shutting down;
  // FAILED_PRECONDITION: evidence asked of a model without it) nothing was queued and `done` is
  // never called. Reports are tokenized on the calling thread.
  absl::Status Label(absl::Span<const ReportRef> reports, const LabelOptions& options, Done done);

  bool evidence_supported() const { return evidence_supported_; }

 private:
  absl::Status Validate(const ReportRef& report, const LabelOptions& options) const;
  // A valid report's windows of token ids, or INVALID_ARGUMENT when it holds no words; its
  // token count goes to `num_tokens`, and with `token_spans` each token's span in the text.
  absl::StatusOr<std::vector<std::vector<int32_t>>> Windows(const ReportRef& report,
                                                            std::vector<TextSpan>* token_spans,
                                                            int* num_tokens) const;

  const WordPieceTokenizer& tokenizer_;
  Batcher& batcher_;
  const bool evidence_supported_;
  const WindowOptions windows_;
  const DecisionRule rule_;
  // Index of the class named "negative", or -1: labels decided otherwise get evidence.
  const int negative_class_;
};

}  // namespace radlabel
