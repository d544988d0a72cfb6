// The batching policy, with no threads and no clock of its own: callers pass the time in, so
// that tests drive it deterministically.
//
// Policy:
// - Callers take turns: each batch is grown around one anchor window, the oldest queued window
//   of the caller (the CallerState a call's windows share; a submission without one is its own
//   caller) whose turn comes first. Turns queue: a caller joins the queue of turns when its
//   first window arrives, behind the callers already waiting and ahead of the one that just
//   anchored, and goes to the back each time it anchors; the older window breaks a tie. So a
//   caller with windows queued anchors before any other anchors twice, however many windows
//   or calls the others send: a one-report call behind thousands of windows of one stream runs
//   in the next batch or the one after, and a stream is not starved by a flow of new calls.
//   Within a caller, oldest first; no window starves.
// - Batch-mates are the windows closest in length to the anchor, so padding stays small:
//   windows are ordered by length and the batch grows outwards from the anchor, taking the
//   neighbour nearer in length, while rows <= max_batch_size and
//   rows x longest row <= max_batch_tokens.
// - Work nobody waits for is dropped, never run: before each batch is formed, windows whose
//   caller's deadline has passed or whose caller cancelled (or vanished) leave the queue and are
//   returned as dropped.
// - A batch is released as soon as it is full (a limit stopped its growth), or at once when
//   flushing (shutdown). Otherwise it waits for batch-mates only when there are concurrent
//   callers to wait for: the previous batch combined windows of several submissions, and the
//   anchor's submission came less than max_queue_delay after the one before it. Then the
//   batch waits until the anchor has been queued max_queue_delay. A single caller that
//   waits for each answer never waits, so the batcher adds no idle wait when there is nothing
//   to wait for.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "batching/batcher_options.h"

namespace radlabel {

// What the model computed for one window. The spans are valid only during `done`.
struct WindowOutput {
  absl::Span<const float> probabilities;  // [labels x classes]
  // With BatchTask::want_attention: [labels x attention_stride], each label's weight over the
  // window's tokens in its first token_ids.size() columns; otherwise empty.
  absl::Span<const float> attention;
  int attention_stride = 0;
};

enum class DropReason { kDeadline, kCancelled };

// The caller of a submission, shared by its windows: whether anyone still waits for them.
struct CallerState {
  absl::Time deadline = absl::InfiniteFuture();
  // True once the caller cancelled or disconnected (gRPC: ServerContext::IsCancelled, which is
  // thread-safe). Null: never.
  std::function<bool()> cancelled;

  // Why nobody waits any more at `now` (the deadline first); nullopt while the caller waits.
  std::optional<DropReason> Abandoned(absl::Time now) const;
};

// One model window to run. The batcher owns it from Submit until `done` has been called, which
// happens exactly once: with the window's output, or with the error of its batch.
struct BatchTask {
  std::vector<int32_t> token_ids;  // [CLS] ... [SEP]
  bool want_attention = false;     // the caller asked for evidence
  std::shared_ptr<const CallerState> caller;  // null: waited for until done
  std::function<void(absl::StatusOr<WindowOutput>)> done;
  absl::Time enqueued;             // set by BatchQueue::Push
  absl::Duration since_previous_submission = absl::InfiniteDuration();  // set by Push
  uint64_t submission = 0;                                              // set by Push
};

class BatchQueue {
 public:
  explicit BatchQueue(const BatcherOptions& options) : options_(options) {}

  // Queues all tasks or none: RESOURCE_EXHAUSTED when they would exceed max_queue_windows or
  // max_queue_tokens now; INVALID_ARGUMENT when they exceed either alone, as no wait can make
  // room for them (the caller must send fewer or shorter reports at once).
  absl::Status Push(std::vector<BatchTask>& tasks, absl::Time now);

  struct Poll {
    std::vector<BatchTask> batch;                   // empty: nothing to run yet
    absl::Time retry_at = absl::InfiniteFuture();  // when to poll again if nothing changes
    // Windows taken out unrun because nobody waits for them any more, and why.
    std::vector<std::pair<BatchTask, DropReason>> dropped;
  };
  // The next batch to run at time `now`, if any. With `flush`, releases whatever is queued.
  Poll Next(absl::Time now, bool flush);

  size_t size() const { return queue_.size(); }

 private:
  // Moves the windows nobody waits for at `now` into `dropped`.
  void DropAbandoned(absl::Time now, std::vector<std::pair<BatchTask, DropReason>>& dropped);
  // The caller a window belongs to: its CallerState, or its submission when it has none.
  using CallerKey = std::pair<const CallerState*, uint64_t>;
  static CallerKey KeyOf(const BatchTask& task) {
    return task.caller ? CallerKey{task.caller.get(), 0} : CallerKey{nullptr, task.submission};
  }
  // The index into queue_ of the next anchor (the policy's turns).
  size_t ChooseAnchor() const;
  // Accounts for a window leaving the queue: its caller's turn goes when its last window does.
  void Leave(const BatchTask& task);
  // A caller's place in the turn order, from the batch count: joining before batch b+1 is
  // 2b-1, anchoring batch b is 2b; smaller goes first.
  int64_t ArrivalTurn() const { return 2 * static_cast<int64_t>(batches_) - 1; }
  // Indices into queue_ of the batch grown around queue_[anchor]; sets *full when a limit, not
  // a lack of work, stopped it.
  std::vector<size_t> SelectAround(size_t anchor, bool* full) const;

  const BatcherOptions options_;
  std::deque<BatchTask> queue_;  // arrival order: front is the oldest
  int64_t queued_tokens_ = 0;     // tokens of the windows in queue_
  absl::Time last_submission_ = absl::InfinitePast();
  uint64_t submissions_ = 0;
  // The last batch released held windows of more than one submission: concurrent callers.
  bool last_batch_shared_ = false;
  uint64_t batches_ = 0;  // batches released
  struct Turn {
    int64_t order;    // ArrivalTurn, or 2b after anchoring batch b
    int64_t windows;  // the caller's windows in queue_
  };
  // Every caller with windows in queue_, and only those.
  absl::flat_hash_map<CallerKey, Turn> turns_;
};

}  // namespace radlabel
