#include "core/labeller.h"

#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "text/sentences.h"
#include "text/tokenizer.h"

namespace radlabel {
namespace {

// What evidence needs of one report: its text (a copy: callers' text need not outlive Label),
// token spans, and each window's attention.
struct EvidenceInputs {
  std::string text;
  std::vector<TextSpan> token_spans;
  std::vector<std::vector<float>> window_attention;  // [window][labels x window tokens]
};

// Shared by the windows of one request; the last window to finish completes the request.
struct RequestState {
  std::vector<ReportOutcome> outcomes;
  std::vector<std::vector<std::vector<float>>> window_probabilities;  // [report][window]
  std::vector<EvidenceInputs> evidence;  // [report] when evidence was asked for
  std::atomic<int> pending_windows{0};
  absl::Mutex error_mu;  // several windows of one report may fail on different batches
  Labeller::Done done;
};

int ClassIndex(const ModelBundle& bundle, absl::string_view name) {
  for (int c = 0; c < bundle.config.classes_size(); ++c) {
    if (bundle.config.classes(c) == name) return c;
  }
  return -1;
}

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
                   Batcher& batcher, bool evidence_supported)
    : bundle_(bundle),
      tokenizer_(tokenizer),
      batcher_(batcher),
      evidence_supported_(evidence_supported),
      chunking_{bundle.config.max_tokens(), bundle.config.chunk_overlap(), tokenizer.cls_id(),
                tokenizer.sep_id()},
      negative_class_(ClassIndex(bundle, "negative")) {}

absl::Status Labeller::Validate(const ReportRef& report, const LabelOptions& options) const {
  if (report.id.empty()) {
    return absl::InvalidArgumentError("a report has an empty id; give every report a unique id");
  }
  if (report.text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("report '", report.id, "' has empty text; send the report's text"));
  }
  if (report.text.size() > options.max_report_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "report '", report.id, "' has ", report.text.size(), " bytes of text, more than the ",
        options.max_report_bytes, " this server accepts (--max_report_bytes); check the export "
        "for joined records, or raise the limit"));
  }
  size_t bad_offset = 0;
  if (!IsValidUtf8(report.text, &bad_offset)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "report '", report.id, "' is not valid UTF-8 (first bad byte at offset ", bad_offset,
        " of ", report.text.size(), "); convert the export to UTF-8, e.g. with iconv"));
  }
  return absl::OkStatus();
}

absl::Status Labeller::Label(absl::Span<const ReportRef> reports, const LabelOptions& options,
                             Done done) {
  if (options.evidence && !evidence_supported_) {
    return absl::FailedPreconditionError(
        "this model cannot return evidence: its model.pt exports no evidence() method (README, "
        "'Model bundle'); send the request without include_evidence");
  }
  auto state = std::make_shared<RequestState>();
  state->outcomes.resize(reports.size());
  state->window_probabilities.resize(reports.size());
  if (options.evidence) state->evidence.resize(reports.size());
  state->done = std::move(done);

  const int num_labels = bundle_.num_labels();
  const int num_classes = bundle_.num_classes();
  const int positive = bundle_.positive_class;
  // Runs once, after the last window of the request: combine windows, decide, find evidence,
  // hand over.
  auto finish = [this, num_labels, num_classes, positive](RequestState& s) {
    for (size_t r = 0; r < s.outcomes.size(); ++r) {
      ReportOutcome& outcome = s.outcomes[r];
      if (!outcome.status.ok() || s.window_probabilities[r].empty()) continue;
      const std::vector<std::vector<float>>& windows = s.window_probabilities[r];
      const std::vector<int> best = BestWindowPerLabel(windows, num_labels, num_classes, positive);
      outcome.probabilities = CombineWindows(windows, best, num_classes);
      outcome.decisions.resize(static_cast<size_t>(num_labels));
      for (int l = 0; l < num_labels; ++l) {
        outcome.decisions[static_cast<size_t>(l)] = DecideClass(
            absl::Span<const float>(outcome.probabilities)
                .subspan(static_cast<size_t>(l * num_classes), static_cast<size_t>(num_classes)),
            positive, bundle_.config.labels(l).threshold());
      }
      if (!s.evidence.empty()) {
        const EvidenceInputs& in = s.evidence[r];
        const std::vector<TextSpan> sentences = SplitSentences(in.text);
        outcome.evidence.resize(static_cast<size_t>(num_labels));
        for (size_t l = 0; l < static_cast<size_t>(num_labels); ++l) {
          if (outcome.decisions[l] == negative_class_) continue;
          const auto w = static_cast<size_t>(best[l]);
          const size_t window_tokens = in.window_attention[w].size() / static_cast<size_t>(num_labels);
          outcome.evidence[l] = PickEvidence(
              in.text, sentences, in.token_spans, WindowFirstToken(best[l], chunking_),
              absl::Span<const float>(in.window_attention[w]).subspan(l * window_tokens, window_tokens));
        }
      }
      s.window_probabilities[r].clear();
    }
    s.done(std::move(s.outcomes));
  };

  std::vector<BatchTask> tasks;
  absl::flat_hash_map<absl::string_view, size_t> first_with_id;
  for (size_t r = 0; r < reports.size(); ++r) {
    ReportOutcome& outcome = state->outcomes[r];
    outcome.status = Validate(reports[r], options);
    if (!outcome.status.ok()) continue;
    if (const auto [first, inserted] = first_with_id.emplace(reports[r].id, r); !inserted) {
      outcome.status = absl::InvalidArgumentError(absl::StrCat(
          "report id '", reports[r].id, "' appears more than once in this request (first at "
          "position ", first->second, ", again at ", r, "); give every report a unique id"));
      continue;
    }
    std::vector<TextSpan>* spans = nullptr;
    if (options.evidence) {
      state->evidence[r].text = std::string(reports[r].text);
      spans = &state->evidence[r].token_spans;
    }
    const std::vector<int32_t> tokens = tokenizer_.Encode(reports[r].text, spans);
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
    if (options.evidence) state->evidence[r].window_attention.resize(windows.size());
    for (size_t w = 0; w < windows.size(); ++w) {
      BatchTask task;
      const size_t window_tokens = windows[w].size();
      task.token_ids = std::move(windows[w]);
      task.want_attention = options.evidence;
      task.caller = options.caller;
      task.done = [state, r, w, window_tokens, finish](absl::StatusOr<WindowOutput> out) {
        if (out.ok()) {
          state->window_probabilities[r][w].assign(out->probabilities.begin(),
                                                   out->probabilities.end());
          if (!state->evidence.empty()) {
            // Keep each label's weights over the window's own tokens: [labels x window tokens].
            std::vector<float>& kept = state->evidence[r].window_attention[w];
            const auto stride = static_cast<size_t>(out->attention_stride);
            for (size_t row = 0; stride > 0 && row < out->attention.size(); row += stride) {
              const auto first = out->attention.begin() + static_cast<std::ptrdiff_t>(row);
              kept.insert(kept.end(), first, first + static_cast<std::ptrdiff_t>(window_tokens));
            }
          }
        } else {
          absl::MutexLock lock(&state->error_mu);
          if (state->outcomes[r].status.ok()) state->outcomes[r].status = out.status();
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
