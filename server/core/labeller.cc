#include "core/labeller.h"

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "text/tokenizer.h"

namespace radlabel {
namespace {

// Shared by the windows of one request; the last window to finish completes the request.
struct RequestState {
  std::vector<ReportOutcome> outcomes;
  std::vector<std::vector<std::vector<float>>> window_probabilities;  // [report][window]
  std::atomic<int> pending_windows{0};
  absl::Mutex error_mu;  // several windows of one report may fail on different batches
  Labeller::Done done;
};

}  // namespace

int DecideClass(absl::Span<const float> class_probabilities, int positive_class,
                float threshold) {
  if (class_probabilities[static_cast<size_t>(positive_class)] >= threshold) return positive_class;
  int best = -1;
  for (int c = 0; c < static_cast<int>(class_probabilities.size()); ++c) {
    if (c == positive_class) continue;
    if (best < 0 || class_probabilities[static_cast<size_t>(c)] >
                        class_probabilities[static_cast<size_t>(best)]) {
      best = c;
    }
  }
  return best;
}

Labeller::Labeller(const ModelBundle& bundle, const WordPieceTokenizer& tokenizer,
                   Batcher& batcher)
    : bundle_(bundle),
      tokenizer_(tokenizer),
      batcher_(batcher),
      chunking_{bundle.config.max_tokens(), bundle.config.chunk_overlap(), tokenizer.cls_id(),
                tokenizer.sep_id()} {}

absl::Status Labeller::Validate(const ReportRef& report) const {
  if (report.id.empty()) {
    return absl::InvalidArgumentError("a report has an empty id; give every report a unique id");
  }
  if (report.text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("report '", report.id, "' has empty text; send the report's text"));
  }
  size_t bad_offset = 0;
  if (!IsValidUtf8(report.text, &bad_offset)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "report '", report.id, "' is not valid UTF-8 (first bad byte at offset ", bad_offset,
        " of ", report.text.size(), "); convert the export to UTF-8, e.g. with iconv"));
  }
  return absl::OkStatus();
}

absl::Status Labeller::Label(absl::Span<const ReportRef> reports, Done done) {
  auto state = std::make_shared<RequestState>();
  state->outcomes.resize(reports.size());
  state->window_probabilities.resize(reports.size());
  state->done = std::move(done);

  const int num_labels = bundle_.num_labels();
  const int num_classes = bundle_.num_classes();
  const int positive = bundle_.positive_class;
  // Runs once, after the last window of the request: combine windows, decide, hand over.
  auto finish = [this, num_labels, num_classes, positive](RequestState& s) {
    for (size_t r = 0; r < s.outcomes.size(); ++r) {
      ReportOutcome& outcome = s.outcomes[r];
      if (!outcome.status.ok() || s.window_probabilities[r].empty()) continue;
      outcome.probabilities =
          CombineWindows(s.window_probabilities[r], num_labels, num_classes, positive);
      s.window_probabilities[r].clear();
      outcome.decisions.resize(static_cast<size_t>(num_labels));
      for (int l = 0; l < num_labels; ++l) {
        outcome.decisions[static_cast<size_t>(l)] = DecideClass(
            absl::Span<const float>(outcome.probabilities)
                .subspan(static_cast<size_t>(l * num_classes), static_cast<size_t>(num_classes)),
            positive, bundle_.config.labels(l).threshold());
      }
    }
    s.done(std::move(s.outcomes));
  };

  std::vector<BatchTask> tasks;
  for (size_t r = 0; r < reports.size(); ++r) {
    ReportOutcome& outcome = state->outcomes[r];
    outcome.status = Validate(reports[r]);
    if (!outcome.status.ok()) continue;
    const std::vector<int32_t> tokens = tokenizer_.Encode(reports[r].text);
    if (tokens.empty()) {
      outcome.status = absl::InvalidArgumentError(absl::StrCat(
          "report '", reports[r].id, "' has no words (only white space or control characters); "
          "send the report's text"));
      continue;
    }
    std::vector<std::vector<int32_t>> windows = SplitIntoWindows(tokens, chunking_);
    outcome.num_tokens = static_cast<int>(tokens.size());
    outcome.num_windows = static_cast<int>(windows.size());
    state->window_probabilities[r].resize(windows.size());
    for (size_t w = 0; w < windows.size(); ++w) {
      BatchTask task;
      task.token_ids = std::move(windows[w]);
      task.done = [state, r, w, finish](absl::StatusOr<absl::Span<const float>> probs) {
        if (probs.ok()) {
          state->window_probabilities[r][w].assign(probs->begin(), probs->end());
        } else {
          absl::MutexLock lock(&state->error_mu);
          if (state->outcomes[r].status.ok()) state->outcomes[r].status = probs.status();
        }
        if (state->pending_windows.fetch_sub(1, std::memory_order_acq_rel) == 1) finish(*state);
      };
      tasks.push_back(std::move(task));
    }
  }
  if (tasks.empty()) {
    finish(*state);
    return absl::OkStatus();
  }
  state->pending_windows.store(static_cast<int>(tasks.size()), std::memory_order_relaxed);
  return batcher_.Submit(std::move(tasks));
}

}  // namespace radlabel
