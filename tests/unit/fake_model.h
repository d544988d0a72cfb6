// A Model for tests: deterministic outputs computed from each row's tokens, a record of every
// batch it ran, and optional gates to hold the worker inside Run or to fail a batch.
#pragma once

#include <functional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "model/model.h"

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
      absl::MutexLock lock(&mu_);
      batches_.push_back(batch);
    }
    if (entered_ != nullptr && !entered_->HasBeenNotified()) entered_->Notify();
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

  // Run signals `entered` on its first call, then blocks until `release` is notified.
  void HoldInRun(absl::Notification* entered, absl::Notification* release) {
    entered_ = entered;
    release_ = release;
  }
  void FailWhen(std::function<bool(const TokenBatch&)> predicate) {
    fail_when_ = std::move(predicate);
  }
  std::vector<TokenBatch> batches() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }

 private:
  RowOutput row_output_;
  RowAttention row_attention_;
  absl::Notification* entered_ = nullptr;
  absl::Notification* release_ = nullptr;
  std::function<bool(const TokenBatch&)> fail_when_;
  absl::Mutex mu_;
  std::vector<TokenBatch> batches_ ABSL_GUARDED_BY(mu_);
};

}  // namespace radlabel::testing
