// The dynamic batcher: one bounded queue shared by every RPC, and model_workers worker threads
// that each form the next batch (policy in batch_queue.h) and run it on the model.
//
// Contract:
// - Submit never blocks on the model: it queues all of a request's windows or none, and
//   returns RESOURCE_EXHAUSTED when the queue is full (the caller may retry later),
//   INVALID_ARGUMENT when the request alone exceeds the queue's bounds, or UNAVAILABLE once
//   Stop has begun. Once batches have run with work left queued behind them, a
//   RESOURCE_EXHAUSTED carries a RetryAfter hint (retry_after.h), at the speed such batches ran
//   (model_speed.h): when the refused windows would fit, but after the retries of calls refused
//   before it have had their room, and never later than when every window now queued will have
//   run. So callers refused together come back one after another as room appears, not all at
//   one instant, and the model is not left idle while they wait.
// - Latency: with the model idle, a window waits for batch-mates (at most max_queue_delay) only
//   when concurrent callers share batches (batch_queue.h); under load it waits for the batches
//   ahead of it, oldest first.
// - Every submitted task's `done` is called exactly once, on a worker thread, never under the
//   batcher's lock; a model error fails every task of that batch and the worker goes on.
// - A task whose caller's deadline passed, or whose caller cancelled, before it was batched never
//   reaches the model: `done` gets DEADLINE_EXCEEDED or CANCELLED, and the observer counts it.
// - With several workers the model runs several batches at once (Model::Run is thread-safe).
// - Stop() runs whatever is queued, then joins the workers. The destructor calls Stop().
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "batching/batch_queue.h"
#include "batching/batcher_options.h"
#include "batching/model_speed.h"
#include "common/mutex.h"
#include "model/model.h"

namespace radlabel {

class Batcher {
 public:
  // `model` must outlive the batcher. `pad_id` fills padded positions. `outputs_per_window` is
  // labels x classes, the size of each window's slice of the model output.
  static absl::StatusOr<std::unique_ptr<Batcher>> Create(const BatcherOptions& options,
                                                         Model* model, int32_t pad_id,
                                                         int outputs_per_window,
                                                         int model_max_tokens);
  ~Batcher();

  absl::Status Submit(std::vector<BatchTask> tasks);
  void Stop();

 private:
  Batcher(const BatcherOptions& options, Model* model, int32_t pad_id, int outputs_per_window);
  void WorkerLoop();
  // `work_left_behind`: the queue still held windows when this batch was formed.
  void RunBatch(std::vector<BatchTask>& batch, bool work_left_behind);
  void FinishDropped(std::vector<std::pair<BatchTask, DropReason>>& dropped);
  // The RetryAfter hint of a call of `refused_windows` refused at `now`; books its room.
  absl::Duration ScheduleRetry(absl::Duration model_time_per_window, int64_t refused_windows,
                               absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const BatcherOptions options_;
  Clock* const clock_;
  Model* const model_;
  const int32_t pad_id_;
  const int outputs_per_window_;

  // Not absl::Mutex: the batcher's tests run under ThreadSanitizer (common/mutex.h says why).
  Mutex mu_;
  BatchQueue queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Measured on the batches formed with work left behind that ran without error.
  ModelSpeed model_speed_ ABSL_GUARDED_BY(mu_);
  // When the room booked for the retries of calls refused so far will have appeared.
  absl::Time retries_due_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  CondVar work_changed_;
  std::vector<std::thread> workers_;
};

}  // namespace radlabel
