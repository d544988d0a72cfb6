// What the batcher reports about its work, for metrics. Implementations must be cheap and
// thread-safe: the batcher calls them on its worker thread and from Submit.
#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "batching/batch_queue.h"

namespace radlabel {

struct BatchStats {
  int rows = 0;                // windows in the batch
  int seq_len = 0;             // longest window: every row is padded to it
  int64_t real_tokens = 0;     // tokens before padding; rows * seq_len - real_tokens are padding
  absl::Duration inference;    // the model call
  bool failed = false;         // the model call returned an error
  absl::Span<const absl::Duration> queue_waits;  // per window: from Submit to the batch's start
};

class BatcherObserver {
 public:
  virtual ~BatcherObserver() = default;
  virtual void OnBatch(const BatchStats& stats) = 0;
  // Windows waiting in the queue, after every change.
  virtual void OnQueueDepth(int64_t windows) = 0;
  // Windows taken out of the queue unrun: their caller's deadline passed or it cancelled.
  virtual void OnDropped(DropReason reason, int64_t windows) = 0;
};

}  // namespace radlabel
