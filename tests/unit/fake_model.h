// A Model for tests: deterministic outputs computed from each row's tokens, a record of every
// batch it ran, and optional gates to hold the worker inside Run, to gather concurrent runs, or
// to fail a batch, and a manual clock it can advance to take time.
#pragma once

#include <algorithm>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "manual_clock.h"
#include "model/model.h"
#include "test_sync.h"

namespace radlabel::testing {

class FakeModel : public Model {
 public:
  // `row_output(ids, mask)` gives one row's [labels x classes] outputs.
  using RowOutput = std::function<std::vector<float>(const std::vector<int64_t>& ids,
                                                     const std::vector<int64_t>& mask)>;
  // `row_attention(ids, mask)` gives one row's [labels x seq_len] attention; without it the
  // model does not support evidence.
  using RowAttention = RowOutput;
  explicit FakeModel(RowOutput row_output, RowAttention row_attention = nullptr)
      : row_output_(std::move(row_output)), row_attention_(std::move(row_attention)) {}

  bool SupportsEvidence() const override { return row_attention_ != nullptr; }

  absl::StatusOr<ModelOutput> Run(const TokenBatch& batch) override {
    {
      MutexLock lock(mu_);
      batches_.push_back(batch);
      ++in_flight_;
      most_concurrent_ = std::max(most_concurrent_, in_flight_);
      runs_changed_.notify_all();
      const absl::Time gather_until = absl::Now() + gather_timeout_;
      while (gather_ > 1 && most_concurrent_ < gather_ && absl::Now() < gather_until) {
        runs_changed_.wait_for(mu_, absl::ToChronoNanoseconds(gather_until - absl::Now()));
      }
      if (entered_ != nullptr && !entered_->HasBeenNotified()) entered_->Notify();
    }
    if (clock_ != nullptr) clock_->Advance(time_per_run_);
    absl::StatusOr<ModelOutput> out = Compute(batch);
    MutexLock lock(mu_);
    --in_flight_;
    return out;
  }

  // Run signals `entered` on its first call; every call then blocks until `release` is notified.
  void HoldInRun(Notification* entered, Notification* release) {
    entered_ = entered;
    release_ = release;
  }
  // Each Run advances `clock` by `per_run`: a model call that takes that long.
  void TakeTimeInRun(ManualClock* clock, absl::Duration per_run) {
    clock_ = clock;
    time_per_run_ = per_run;
  }
  // Each Run waits, at most `timeout`, until `runs` calls have been inside the model at once.
  void GatherConcurrentRuns(int runs, absl::Duration timeout) {
    MutexLock lock(mu_);
    gather_ = runs;
    gather_timeout_ = timeout;
  }
  int most_concurrent_runs() {
    MutexLock lock(mu_);
    return most_concurrent_;
  }
  void FailWhen(std::function<bool(const TokenBatch&)> predicate) {
    fail_when_ = std::move(predicate);
  }
  std::vector<TokenBatch> batches() {
    MutexLock lock(mu_);
    return batches_;
  }

 private:
  absl::StatusOr<ModelOutput> Compute(const TokenBatch& batch) {
    if (release_ != nullptr) release_->WaitForNotification();
    if (fail_when_ && fail_when_(batch)) return absl::InternalError("fake model failure");
    if (batch.with_attention && row_attention_ == nullptr) {
      return absl::FailedPreconditionError("fake model without attention");
    }
    ModelOutput out;
    for (int b = 0; b < batch.batch_size; ++b) {
      const auto first = static_cast<std::ptrdiff_t>(b) * batch.seq_len;
      const std::vector<int64_t> ids(batch.input_ids.begin() + first,
                                     batch.input_ids.begin() + first + batch.seq_len);
      const std::vector<int64_t> mask(batch.attention_mask.begin() + first,
                                      batch.attention_mask.begin() + first + batch.seq_len);
      const std::vector<float> row = row_output_(ids, mask);
      out.probabilities.insert(out.probabilities.end(), row.begin(), row.end());
      if (batch.with_attention) {
        const std::vector<float> attention = row_attention_(ids, mask);
        out.attention.insert(out.attention.end(), attention.begin(), attention.end());
      }
    }
    return out;
  }

  RowOutput row_output_;
  RowAttention row_attention_;
  Notification* entered_ = nullptr;
  Notification* release_ = nullptr;
  ManualClock* clock_ = nullptr;
  absl::Duration time_per_run_;
  std::function<bool(const TokenBatch&)> fail_when_;
  Mutex mu_;  // not absl::Mutex, for ThreadSanitizer (common/mutex.h)
  CondVar runs_changed_;
  std::vector<TokenBatch> batches_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int most_concurrent_ ABSL_GUARDED_BY(mu_) = 0;
  int gather_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Duration gather_timeout_ ABSL_GUARDED_BY(mu_);
};

}  // namespace radlabel::testing
