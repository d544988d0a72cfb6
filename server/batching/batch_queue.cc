#include "batching/batch_queue.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <numeric>
#include <optional>

#include "absl/strings/str_cat.h"

namespace radlabel {

std::optional<DropReason> CallerState::Abandoned(absl::Time now) const {
  if (deadline <= now) return DropReason::kDeadline;
  if (cancelled && cancelled()) return DropReason::kCancelled;
  return std::nullopt;
}

absl::Status BatchQueue::Push(std::vector<BatchTask>& tasks, absl::Time now) {
  int64_t tokens = 0;
  for (const BatchTask& task : tasks) tokens += static_cast<int64_t>(task.token_ids.size());
  if (tasks.size() > static_cast<size_t>(options_.max_queue_windows) ||
      tokens > options_.max_queue_tokens) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request needs ", tasks.size(), " windows of ", tokens, " tokens, more than the "
        "server's whole queue holds (", options_.max_queue_windows, " windows, ",
        options_.max_queue_tokens, " tokens); send fewer or shorter reports per request"));
  }
  if (queue_.size() + tasks.size() > static_cast<size_t>(options_.max_queue_windows)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the server's queue holds ", queue_.size(), " of at most ", options_.max_queue_windows,
        " windows and cannot take ", tasks.size(), " more; retry later with backoff, or send "
        "fewer reports at once"));
  }
  if (queued_tokens_ + tokens > options_.max_queue_tokens) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the server's queue holds ", queued_tokens_, " of at most ", options_.max_queue_tokens,
        " tokens and cannot take ", tokens, " more; retry later with backoff, or send fewer "
        "reports at once"));
  }
  queued_tokens_ += tokens;
  ++submissions_;
  for (BatchTask& task : tasks) {
    task.enqueued = now;
    task.since_previous_submission = now - last_submission_;
    task.submission = submissions_;
    queue_.push_back(std::move(task));
  }
  if (!tasks.empty()) {  // a submission's windows share one caller
    Turn& turn = turns_.try_emplace(KeyOf(queue_.back()), Turn{ArrivalTurn(), 0}).first->second;
    turn.windows += static_cast<int64_t>(tasks.size());
  }
  last_submission_ = now;
  tasks.clear();
  return absl::OkStatus();
}

size_t BatchQueue::ChooseAnchor() const {
  // The first window met of a caller is its oldest, and a submission's windows sit together: the
  // turn is looked up only where the caller changes; a tie goes to the older window.
  size_t anchor = 0;
  int64_t anchor_order = std::numeric_limits<int64_t>::max();
  std::optional<CallerKey> last;
  for (size_t i = 0; i < queue_.size(); ++i) {
    const CallerKey key = KeyOf(queue_[i]);
    if (key == last) continue;
    last = key;
    if (const int64_t order = turns_.at(key).order; order < anchor_order) {
      anchor = i;
      anchor_order = order;
    }
  }
  return anchor;
}

void BatchQueue::Leave(const BatchTask& task) {
  queued_tokens_ -= static_cast<int64_t>(task.token_ids.size());
  const auto turn = turns_.find(KeyOf(task));
  if (--turn->second.windows == 0) turns_.erase(turn);
}

std::vector<size_t> BatchQueue::SelectAround(size_t anchor_index, bool* full) const {
  auto length = [this](size_t i) { return queue_[i].token_ids.size(); };
  // The queue ordered by length, arrival order among equal lengths. A counting sort: this runs
  // once per batch over a queue that may hold tens of thousands of windows, and lengths are
  // bounded by the model window, so it is linear where a comparison sort was n log n.
  size_t max_length = 0;
  for (const BatchTask& task : queue_) max_length = std::max(max_length, task.token_ids.size());
  std::vector<size_t> next_slot(max_length + 2, 0);  // first position of each length in `order`
  for (const BatchTask& task : queue_) ++next_slot[task.token_ids.size() + 1];
  std::partial_sum(next_slot.begin(), next_slot.end(), next_slot.begin());
  const size_t anchor_length = length(anchor_index);
  std::vector<size_t> order(queue_.size());
  size_t anchor = 0;  // the anchor's place in `order`
  for (size_t i = 0; i < queue_.size(); ++i) {
    if (i == anchor_index) anchor = next_slot[length(i)];
    order[next_slot[length(i)]++] = i;
  }

  size_t lo = anchor, hi = anchor;  // the batch is order[lo..hi]
  auto fits = [&](size_t longest, size_t rows) {
    return rows <= static_cast<size_t>(options_.max_batch_size) &&
           longest * rows <= static_cast<size_t>(options_.max_batch_tokens);
  };
  *full = false;
  while (true) {
    const bool has_left = lo > 0;
    const bool has_right = hi + 1 < order.size();
    if (!has_left && !has_right) break;  // took everything queued
    const size_t rows = hi - lo + 2;
    const bool left_fits = has_left && fits(length(order[hi]), rows);
    const bool right_fits = has_right && fits(length(order[hi + 1]), rows);
    if (!left_fits && !right_fits) {
      *full = true;
      break;
    }
    // Prefer the neighbour nearer in length; on a tie the shorter one, which adds no padding.
    const bool take_left =
        left_fits && (!right_fits || anchor_length - length(order[lo - 1]) <=
                                         length(order[hi + 1]) - anchor_length);
    if (take_left) {
      --lo;
    } else {
      ++hi;
    }
  }
  if (hi - lo + 1 == static_cast<size_t>(options_.max_batch_size)) *full = true;
  return std::vector<size_t>(order.begin() + static_cast<std::ptrdiff_t>(lo),
                             order.begin() + static_cast<std::ptrdiff_t>(hi) + 1);
}

void BatchQueue::DropAbandoned(absl::Time now,
                               std::vector<std::pair<BatchTask, DropReason>>& dropped) {
  // A submission's windows share one caller and sit together: ask each caller once per run.
  const CallerState* last = nullptr;
  std::optional<DropReason> last_reason;
  auto reason_of = [&](const BatchTask& task) {
    if (task.caller.get() != last) {
      last = task.caller.get();
      last_reason = last != nullptr ? last->Abandoned(now) : std::nullopt;
    }
    return last_reason;
  };
  const auto first = std::find_if(queue_.begin(), queue_.end(),
                                  [&](const BatchTask& task) { return reason_of(task).has_value(); });
  if (first == queue_.end()) return;  // the usual case: nothing to drop, nothing allocated
  std::deque<BatchTask> kept(std::make_move_iterator(queue_.begin()), std::make_move_iterator(first));
  for (auto it = first; it != queue_.end(); ++it) {
    if (const std::optional<DropReason> reason = reason_of(*it)) {
      Leave(*it);
      dropped.emplace_back(std::move(*it), *reason);
    } else {
      kept.push_back(std::move(*it));
    }
  }
  queue_ = std::move(kept);
}

BatchQueue::Poll BatchQueue::Next(absl::Time now, bool flush) {
  Poll poll;
  DropAbandoned(now, poll.dropped);
  if (queue_.empty()) return poll;
  bool full = false;
  const size_t anchor_index = ChooseAnchor();
  const std::vector<size_t> selected = SelectAround(anchor_index, &full);
  const BatchTask& anchor = queue_[anchor_index];
  const bool dense_traffic = last_batch_shared_ &&
                             anchor.since_previous_submission < options_.max_queue_delay;
  const absl::Time deadline = anchor.enqueued + options_.max_queue_delay;
  if (!full && !flush && dense_traffic && now < deadline) {
    poll.retry_at = deadline;
    return poll;
  }
  turns_.at(KeyOf(anchor)).order = 2 * static_cast<int64_t>(++batches_);
  std::vector<bool> taken(queue_.size(), false);
  poll.batch.reserve(selected.size());
  const uint64_t first_submission = queue_[selected.front()].submission;
  last_batch_shared_ = false;
  for (size_t i : selected) {
    taken[i] = true;
    Leave(queue_[i]);
    last_batch_shared_ |= queue_[i].submission != first_submission;
    poll.batch.push_back(std::move(queue_[i]));
  }
  // Closes the gaps in place: a new deque per batch cost more than the selection itself.
  size_t kept = 0;
  for (size_t i = 0; i < queue_.size(); ++i) {
    if (taken[i]) continue;
    if (kept != i) queue_[kept] = std::move(queue_[i]);  // a self-move would empty the task
    ++kept;
  }
  queue_.resize(kept);
  return poll;
}

}  // namespace radlabel
