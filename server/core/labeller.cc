#include "core/labeller.h"

#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "text/sentences.h"

namespace radlabel {
namespace {

int ClassIndex(const ModelBundle& bundle, absl::string_view name) {
  for (int c = 0; c < bundle.config.classes_size(); ++c) {
    if (bundle.config.classes(c) == name) return c;
  }
  return -1;
}

// One request between Label() and its `done`: each report's outcome and window outputs, and
// what evidence needs. Shared by the request's windows; the last window to finish completes
// the request, on its batcher thread.
class PendingRequest {
 public:
  PendingRequest(size_t num_reports, bool evidence, const DecisionRule& rule,
                 const WindowOptions& windows, int negative_class, Labeller::Done done)
      : rule_(rule), windows_(windows), negative_class_(negative_class), done_(std::move(done)),
        outcomes_(num_reports), window_probabilities_(num_reports) {
    if (evidence) evidence_.resize(num_reports);
  }

  ReportOutcome& outcome(size_t r) { return outcomes_[r]; }
  bool wants_evidence() const { return !evidence_.empty(); }

  // Where report r's token spans go when evidence was asked for (its text is copied: callers'
  // text need not outlive Label), or null.
  std::vector<TextSpan>* TokenSpansOf(size_t r, absl::string_view text) {
    if (!wants_evidence()) return nullptr;
    evidence_[r].text = std::string(text);
    return &evidence_[r].token_spans;
  }

  // Report r goes to the model as `windows` windows.
  void Expect(size_t r, size_t windows) {
    window_probabilities_[r].resize(windows);
    if (wants_evidence()) evidence_[r].window_attention.resize(windows);
    pending_windows_.fetch_add(static_cast<int>(windows), std::memory_order_relaxed);
  }

  // Window w of report r is done (it held `window_tokens` tokens). The last one completes the
  // request.
  void WindowDone(size_t r, size_t w, size_t window_tokens, absl::StatusOr<WindowOutput> out) {
    if (out.ok()) {
      window_probabilities_[r][w].assign(out->probabilities.begin(), out->probabilities.end());
      if (wants_evidence()) KeepAttention(evidence_[r].window_attention[w], *out, window_tokens);
    } else {
      absl::MutexLock lock(&error_mu_);
      if (outcomes_[r].status.ok()) outcomes_[r].status = out.status();
    }
    if (pending_windows_.fetch_sub(1, std::memory_order_acq_rel) == 1) Complete();
  }

  // Combines each labelled report's windows, decides, finds evidence and hands the outcomes
  // over. Runs once: after the last window, or at once when no report needs the model.
  void Complete() {
    for (size_t r = 0; r < outcomes_.size(); ++r) {
      if (outcomes_[r].status.ok() && !window_probabilities_[r].empty()) CompleteReport(r);
    }
    done_(std::move(outcomes_));
  }

 private:
  // What evidence needs of one report: its text, token spans and each window's attention.
  struct EvidenceInputs {
    std::string text;
    std::vector<TextSpan> token_spans;
    std::vector<std::vector<float>> window_attention;  // [window][labels x window tokens]
  };

  // Keeps each label's weights over the window's own tokens: [labels x window tokens].
  static void KeepAttention(std::vector<float>& kept, const WindowOutput& out,
                            size_t window_tokens) {
    const auto stride = static_cast<size_t>(out.attention_stride);
    for (size_t row = 0; stride > 0 && row < out.attention.size(); row += stride) {
      const auto first = out.attention.begin() + static_cast<std::ptrdiff_t>(row);
      kept.insert(kept.end(), first, first + static_cast<std::ptrdiff_t>(window_tokens));
    }
  }

  void CompleteReport(size_t r) {
    ReportOutcome& outcome = outcomes_[r];
    CombinedReport combined = Combine(window_probabilities_[r], rule_);
    window_probabilities_[r].clear();
    outcome.probabilities = std::move(combined.probabilities);
    outcome.decisions = std::move(combined.decisions);
    if (!wants_evidence()) return;
    const EvidenceInputs& in = evidence_[r];
    const std::vector<TextSpan> sentences = SplitSentences(in.text);
    const auto num_labels = static_cast<size_t>(rule_.num_labels);
    outcome.evidence.resize(num_labels);
    for (size_t l = 0; l < num_labels; ++l) {
      if (outcome.decisions[l] == negative_class_) continue;
      const int window = combined.deciding_window[l];
      const std::vector<float>& attention = in.window_attention[static_cast<size_t>(window)];
      const size_t window_tokens = attention.size() / num_labels;
      outcome.evidence[l] = PickEvidence(
          in.text, sentences, in.token_spans, WindowFirstToken(window, windows_),
          absl::Span<const float>(attention).subspan(l * window_tokens, window_tokens));
    }
  }

  const DecisionRule& rule_;
  const WindowOptions& windows_;
  const int negative_class_;
  const Labeller::Done done_;
  std::vector<ReportOutcome> outcomes_;
  std::vector<std::vector<std::vector<float>>> window_probabilities_;  // [report][window]
  std::vector<EvidenceInputs> evidence_;  // [report] when evidence was asked for
  std::atomic<int> pending_windows_{0};
  absl::Mutex error_mu_;  // several windows of one report may fail on different batches
};

}  // namespace

Labeller::Labeller(const ModelBundle& bundle, const WordPieceTokenizer& tokenizer,
                   Batcher& batcher, bool evidence_supported)
    : tokenizer_(tokenizer),
      batcher_(batcher),
      evidence_supported_(evidence_supported),
      windows_(BundleWindowOptions(bundle, tokenizer)),
      rule_(DecisionRule::Of(bundle)),
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

absl::StatusOr<std::vector<std::vector<int32_t>>> Labeller::Windows(
    const ReportRef& report, std::vector<TextSpan>* token_spans, int* num_tokens) const {
  const std::vector<int32_t> tokens = tokenizer_.Encode(report.text, token_spans);
  if (tokens.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "report '", report.id, "' has no words (only white space or control characters); "
        "send the report's text"));
  }
  *num_tokens = static_cast<int>(tokens.size());
  return SplitIntoWindows(tokens, windows_);
}

absl::Status Labeller::Label(absl::Span<const ReportRef> reports, const LabelOptions& options,
                             Done done) {
  if (options.evidence && !evidence_supported_) {
    return absl::FailedPreconditionError(
        "this model cannot return evidence: its model.pt exports no evidence() method "
        "(docs/model-bundle.md); send the request without include_evidence");
  }
  auto request = std::make_shared<PendingRequest>(reports.size(), options.evidence, rule_,
                                                  windows_, negative_class_, std::move(done));
  std::vector<BatchTask> tasks;
  absl::flat_hash_map<absl::string_view, size_t> first_with_id;
  for (size_t r = 0; r < reports.size(); ++r) {
    ReportOutcome& outcome = request->outcome(r);
    outcome.status = Validate(reports[r], options);
    if (!outcome.status.ok()) continue;
    if (const auto [first, inserted] = first_with_id.emplace(reports[r].id, r); !inserted) {
      outcome.status = absl::InvalidArgumentError(absl::StrCat(
          "report id '", reports[r].id, "' appears more than once in this request (first at "
          "position ", first->second, ", again at ", r, "); give every report a unique id"));
      continue;
    }
    auto windows =
        Windows(reports[r], request->TokenSpansOf(r, reports[r].text), &outcome.num_tokens);
    if (!windows.ok()) {
      outcome.status = windows.status();
      continue;
    }
    outcome.num_windows = static_cast<int>(windows->size());
    request->Expect(r, windows->size());
    for (size_t w = 0; w < windows->size(); ++w) {
      BatchTask task;
      const size_t window_tokens = (*windows)[w].size();
      task.token_ids = std::move((*windows)[w]);
      task.want_attention = options.evidence;
      task.caller = options.caller;
      task.done = [request, r, w, window_tokens](absl::StatusOr<WindowOutput> out) {
        request->WindowDone(r, w, window_tokens, std::move(out));
      };
      tasks.push_back(std::move(task));
    }
  }
  if (tasks.empty()) {
    request->Complete();
    return absl::OkStatus();
  }
  return batcher_.Submit(std::move(tasks));
}

}  // namespace radlabel
