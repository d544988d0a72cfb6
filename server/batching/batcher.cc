#include "batching/batcher.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "batching/batcher_observer.h"
#include "batching/retry_after.h"
#include "batching/clock.h"
#include "common/status_macros.h"

namespace radlabel {

absl::StatusOr<std::unique_ptr<Batcher>> Batcher::Create(const BatcherOptions& options,
                                                         Model* model, int32_t pad_id,
                                                         int outputs_per_window,
                                                         int model_max_tokens) {
  RADLABEL_RETURN_IF_ERROR(options.Validate(model_max_tokens));
  std::unique_ptr<Batcher> batcher(new Batcher(options, model, pad_id, outputs_per_window));
  for (int i = 0; i < options.model_workers; ++i) {
    batcher->workers_.emplace_back([b = batcher.get()] { b->WorkerLoop(); });
  }
  return batcher;
}

Batcher::Batcher(const BatcherOptions& options, Model* model, int32_t pad_id,
                 int outputs_per_window)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : RealClock::Get()),
      model_(model),
      pad_id_(pad_id),
      outputs_per_window_(outputs_per_window),
      queue_(options) {}

Batcher::~Batcher() { Stop(); }

absl::Status Batcher::Submit(std::vector<BatchTask> tasks) {
  MutexLock lock(mu_);
  if (stopping_) {
    return absl::UnavailableError("the server is shutting down; retry on another replica");
  }
  const absl::Time now = clock_->Now();
  absl::Status pushed = queue_.Push(tasks, now);
  if (absl::IsResourceExhausted(pushed)) {
    if (const std::optional<absl::Duration> per_window = model_speed_.TimePerWindow()) {
      SetRetryAfter(pushed, ScheduleRetry(*per_window, static_cast<int64_t>(tasks.size()), now));
    }
  }
  RADLABEL_RETURN_IF_ERROR(pushed);
  if (options_.observer != nullptr) options_.observer->OnQueueDepth(static_cast<int64_t>(queue_.size()));
  work_changed_.notify_one();
  return absl::OkStatus();
}

absl::Duration Batcher::ScheduleRetry(absl::Duration model_time_per_window,
                                      int64_t refused_windows, absl::Time now) {
  // The queue drains at model_workers windows per model_time_per_window; the work in the model
  // now is left out, at most a batch a worker.
  const absl::Duration per_window = model_time_per_window / options_.model_workers;
  const int64_t queued = static_cast<int64_t>(queue_.size());
  const absl::Time fits =
      now + per_window * std::max<int64_t>(0, queued + refused_windows - options_.max_queue_windows);
  const absl::Time drained = std::max(fits, now + per_window * queued);
  const absl::Time retry = std::clamp(retries_due_until_, fits, drained);
  retries_due_until_ = retry + per_window * refused_windows;
  return retry - now;
}

void Batcher::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    work_changed_.notify_all();
  }
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void Batcher::WorkerLoop() {
  while (true) {
    std::vector<BatchTask> batch;
    std::vector<std::pair<BatchTask, DropReason>> dropped;
    bool work_left_behind = false;
    {
      MutexLock lock(mu_);
      while (true) {
        if (stopping_ && queue_.size() == 0) return;
        const absl::Time now = clock_->Now();
        BatchQueue::Poll poll = queue_.Next(now, stopping_);
        if (!poll.batch.empty() || !poll.dropped.empty()) {
          batch = std::move(poll.batch);
          dropped = std::move(poll.dropped);
          if (options_.observer != nullptr) {
            options_.observer->OnQueueDepth(static_cast<int64_t>(queue_.size()));
          }
          // A Submit wakes one worker; what this batch left is for the next idle one.
          work_left_behind = queue_.size() > 0;
          if (work_left_behind) work_changed_.notify_one();
          break;
        }
        // Woken early by a Submit or Stop; re-polls either way.
        if (poll.retry_at == absl::InfiniteFuture()) {
          work_changed_.wait(mu_);
        } else {
          work_changed_.wait_for(mu_, absl::ToChronoNanoseconds(poll.retry_at - now));
        }
      }
    }
    FinishDropped(dropped);
    if (!batch.empty()) RunBatch(batch, work_left_behind);
  }
}

void Batcher::FinishDropped(std::vector<std::pair<BatchTask, DropReason>>& dropped) {
  int64_t windows[2] = {0, 0};  // by DropReason
  for (auto& [task, reason] : dropped) {
    ++windows[static_cast<int>(reason)];
    task.done(reason == DropReason::kDeadline
                  ? absl::DeadlineExceededError(
                        "the call's deadline passed while this report waited in the queue, so it "
                        "was not labelled; retry with a longer deadline, or when the server is less "
                        "loaded")
                  : absl::CancelledError(
                        "the caller cancelled or disconnected before this report reached the model"));
  }
  if (options_.observer == nullptr) return;
  for (const DropReason reason : {DropReason::kDeadline, DropReason::kCancelled}) {
    if (windows[static_cast<int>(reason)] > 0) {
      options_.observer->OnDropped(reason, windows[static_cast<int>(reason)]);
    }
  }
}

void Batcher::RunBatch(std::vector<BatchTask>& batch, bool work_left_behind) {
  const absl::Time start = clock_->Now();
  TokenBatch tokens;
  tokens.batch_size = static_cast<int>(batch.size());
  int64_t real_tokens = 0;
  for (const BatchTask& task : batch) {
    tokens.seq_len = std::max(tokens.seq_len, static_cast<int>(task.token_ids.size()));
    real_tokens += static_cast<int64_t>(task.token_ids.size());
  }
  const size_t cells = static_cast<size_t>(tokens.batch_size) * tokens.seq_len;
  tokens.input_ids.assign(cells, pad_id_);
  tokens.attention_mask.assign(cells, 0);
  for (size_t b = 0; b < batch.size(); ++b) {
    const std::vector<int32_t>& ids = batch[b].token_ids;
    std::copy(ids.begin(), ids.end(), tokens.input_ids.begin() + b * tokens.seq_len);
    std::fill_n(tokens.attention_mask.begin() + b * tokens.seq_len, ids.size(), 1);
    tokens.with_attention = tokens.with_attention || batch[b].want_attention;
  }
  const absl::StatusOr<ModelOutput> out = model_->Run(tokens);
  const absl::Duration inference = clock_->Now() - start;
  // Only batches formed with work left behind measure the speed at which a full queue drains:
  // a lone window of light load costs, per window, many times what a full batch does.
  if (out.ok() && work_left_behind) {
    MutexLock lock(mu_);
    model_speed_.Record(inference, tokens.batch_size);
  }
  if (options_.observer != nullptr) {
    std::vector<absl::Duration> waits;
    waits.reserve(batch.size());
    for (const BatchTask& task : batch) waits.push_back(start - task.enqueued);
    BatchStats stats;
    stats.rows = tokens.batch_size;
    stats.seq_len = tokens.seq_len;
    stats.real_tokens = real_tokens;
    stats.inference = inference;
    stats.failed = !out.ok();
    stats.queue_waits = waits;
    options_.observer->OnBatch(stats);
  }
  if (!out.ok()) {
    for (BatchTask& task : batch) task.done(out.status());
    return;
  }
  const size_t attention_per_window =
      out->attention.size() / static_cast<size_t>(tokens.batch_size);
  for (size_t b = 0; b < batch.size(); ++b) {
    WindowOutput window;
    window.probabilities = absl::Span<const float>(out->probabilities).subspan(
        b * static_cast<size_t>(outputs_per_window_), static_cast<size_t>(outputs_per_window_));
    if (batch[b].want_attention && attention_per_window > 0) {
      window.attention = absl::Span<const float>(out->attention)
                             .subspan(b * attention_per_window, attention_per_window);
      window.attention_stride = tokens.seq_len;
    }
    batch[b].done(window);
  }
}

}  // namespace radlabel
