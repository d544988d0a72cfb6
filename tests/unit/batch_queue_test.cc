#include "batching/batch_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace radlabel {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1000);

// A task whose window has `length` tokens, the first of them `tag` so tests can tell it apart.
BatchTask Task(int length, int32_t tag) {
  BatchTask task;
  task.token_ids.assign(static_cast<size_t>(length), 0);
  task.token_ids[0] = tag;
  task.done = [](absl::StatusOr<WindowOutput>) {};
  return task;
}

std::vector<int32_t> Tags(const std::vector<BatchTask>& batch) {
  std::vector<int32_t> tags;
  for (const BatchTask& t : batch) tags.push_back(t.token_ids[0]);
  return tags;
}

BatcherOptions Options(int max_batch_size, int max_batch_tokens, absl::Duration delay) {
  BatcherOptions options;
  options.max_batch_size = max_batch_size;
  options.max_batch_tokens = max_batch_tokens;
  options.max_queue_delay = delay;
  options.max_queue_windows = 16;
  return options;
}

void Push(BatchQueue& queue, std::vector<BatchTask> tasks, absl::Time now) {
  ASSERT_TRUE(queue.Push(tasks, now).ok());
}

// Two submissions shared the last batch (concurrent callers) and the next comes 1 ms later.
void MakeTrafficDense(BatchQueue& queue) {
  Push(queue, {Task(10, -1)}, kT0 - absl::Milliseconds(2));
  Push(queue, {Task(10, -2)}, kT0 - absl::Milliseconds(1));
  ASSERT_EQ(queue.Next(kT0 - absl::Milliseconds(1), true).batch.size(), 2u);
}

TEST(BatchQueueTest, UnderDenseTrafficWaitsAtMostMaxQueueDelayForBatchMates) {
  BatchQueue queue(Options(8, 1024, absl::Milliseconds(5)));
  MakeTrafficDense(queue);
  Push(queue, {Task(10, 1)}, kT0);
  BatchQueue::Poll poll = queue.Next(kT0 + absl::Milliseconds(1), false);
  EXPECT_TRUE(poll.batch.empty());
  EXPECT_EQ(poll.retry_at, kT0 + absl::Milliseconds(5));
  Push(queue, {Task(10, 2)}, kT0 + absl::Milliseconds(3));
  poll = queue.Next(kT0 + absl::Milliseconds(5), false);
  EXPECT_EQ(Tags(poll.batch), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(queue.size(), 0u);
}

TEST(BatchQueueTest, ASingleSequentialCallerNeverWaits) {
  BatchQueue queue(Options(8, 1024, absl::Milliseconds(5)));
  Push(queue, {Task(10, 1), Task(12, 2)}, kT0);  // the first submission: two windows
  EXPECT_EQ(Tags(queue.Next(kT0, false).batch), (std::vector<int32_t>{1, 2}));
  // The caller's next request 1 ms later: close in time, but the last batch held one
  // submission only, so nobody else is there to wait for.
  Push(queue, {Task(10, 3)}, kT0 + absl::Milliseconds(1));
  EXPECT_EQ(Tags(queue.Next(kT0 + absl::Milliseconds(1), false).batch), (std::vector<int32_t>{3}));
}

TEST(BatchQueueTest, SparseTrafficDoesNotWaitEvenWithSeveralCallers) {
  BatchQueue queue(Options(8, 1024, absl::Milliseconds(5)));
  MakeTrafficDense(queue);
  Push(queue, {Task(10, 1)}, kT0 + absl::Milliseconds(20));  // 21 ms after the last one
  EXPECT_EQ(Tags(queue.Next(kT0 + absl::Milliseconds(20), false).batch), (std::vector<int32_t>{1}));
}

TEST(BatchQueueTest, ZeroDelayRunsWhateverIsQueued) {
  BatchQueue queue(Options(8, 1024, absl::ZeroDuration()));
  Push(queue, {Task(10, 1)}, kT0);
  EXPECT_EQ(Tags(queue.Next(kT0, false).batch), (std::vector<int32_t>{1}));
}

TEST(BatchQueueTest, FullBatchRunsAtOnce) {
  BatchQueue queue(Options(3, 1024, absl::Hours(1)));
  Push(queue, {Task(10, 1), Task(10, 2)}, kT0);
  Push(queue, {Task(10, 3), Task(10, 4)}, kT0);
  EXPECT_EQ(Tags(queue.Next(kT0, false).batch), (std::vector<int32_t>{1, 2, 3}));
  // The fourth is alone; two callers shared the last batch, so it waits for its delay.
  EXPECT_TRUE(queue.Next(kT0, false).batch.empty());
}

TEST(BatchQueueTest, PaddedTokenBudgetLimitsTheBatch) {
  // Longest row 20 -> at most 2 rows within 45 padded tokens.
  BatchQueue queue(Options(8, 45, absl::Hours(1)));
  Push(queue, {Task(20, 1), Task(20, 2), Task(20, 3)}, kT0);
  const BatchQueue::Poll poll = queue.Next(kT0, false);
  EXPECT_EQ(Tags(poll.batch), (std::vector<int32_t>{1, 2}));
}

TEST(BatchQueueTest, GroupsWindowsOfSimilarLengthAroundTheOldest) {
  BatchQueue queue(Options(3, 1024, absl::Hours(1)));
  Push(queue, {Task(10, 1), Task(50, 2), Task(11, 3), Task(49, 4), Task(12, 5)}, kT0);
  const BatchQueue::Poll first = queue.Next(kT0, false);
  EXPECT_EQ(Tags(first.batch), (std::vector<int32_t>{1, 3, 5}));  // ordered by length
  const BatchQueue::Poll second = queue.Next(kT0, true);
  EXPECT_EQ(Tags(second.batch), (std::vector<int32_t>{4, 2}));
}

TEST(BatchQueueTest, TheOldestWindowIsNeverPassedOver) {
  BatchQueue queue(Options(2, 1024, absl::Hours(1)));
  Push(queue, {Task(100, 1)}, kT0);
  Push(queue, {Task(5, 2), Task(5, 3), Task(5, 4)}, kT0 + absl::Seconds(1));
  const std::vector<int32_t> tags = Tags(queue.Next(kT0 + absl::Seconds(1), false).batch);
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[1], 1);  // the long oldest window, with its nearest neighbour
}

// Fairness: a one-report call behind 4,000 queued windows of one stream (500 messages sharing
// its caller) runs in the second batch, and callers then take turns.
TEST(BatchQueueTest, CallersTakeTurnsSoASmallCallIsNotStuckBehindABigOne) {
  BatcherOptions options = Options(8, 1 << 20, absl::ZeroDuration());
  options.max_queue_windows = 5000;
  options.max_queue_tokens = 1 << 30;
  BatchQueue queue(options);
  auto stream = std::make_shared<CallerState>();
  for (int m = 0; m < 500; ++m) {
    std::vector<BatchTask> message;
    for (int w = 0; w < 8; ++w) {
      message.push_back(Task(100, 1));
      message.back().caller = stream;
    }
    Push(queue, std::move(message), kT0);
  }
  auto small = std::make_shared<CallerState>(), other = std::make_shared<CallerState>();
  std::vector<BatchTask> one = {Task(100, 2)}, three = {Task(100, 3), Task(100, 3), Task(100, 3)};
  one[0].caller = small;
  for (BatchTask& t : three) t.caller = other;
  Push(queue, std::move(one), kT0 + absl::Milliseconds(1));
  Push(queue, std::move(three), kT0 + absl::Milliseconds(2));

  std::vector<std::vector<int32_t>> batches;
  for (int b = 0; b < 6; ++b) batches.push_back(Tags(queue.Next(kT0 + absl::Seconds(1), false).batch));
  // The stream's oldest window came first and anchors batch 1; the two newcomers anchor the next
  // two (the small call first: older), each with the nearest windows in length as batch-mates.
  auto contains = [](const std::vector<int32_t>& batch, int32_t tag) {
    return std::find(batch.begin(), batch.end(), tag) != batch.end();
  };
  EXPECT_EQ(batches[0], std::vector<int32_t>(8, 1));
  EXPECT_TRUE(contains(batches[1], 2)) << "the one-report call waited behind the stream";
  EXPECT_TRUE(contains(batches[2], 3));
  EXPECT_EQ(queue.size(), 4000u + 1 + 3 - 6 * 8);
}

// A flow of new callers does not starve a caller that has anchored before: turns queue. One
// new unary call every other batch: the stream anchors every other batch. One every batch (more
// than the batcher serves): the stream still anchors once per round of the callers waiting.
TEST(BatchQueueTest, NewCallersDoNotStarveOneThatHasHadATurn) {
  for (const auto& [every, expected] : {std::pair{2, 10}, std::pair{1, 5}}) {
    BatcherOptions options = Options(1, 1 << 20, absl::ZeroDuration());
    options.max_queue_windows = 100;
    BatchQueue queue(options);
    auto stream = std::make_shared<CallerState>();
    std::vector<BatchTask> message;
    for (int w = 0; w < 30; ++w) {
      message.push_back(Task(100, 1));
      message.back().caller = stream;
    }
    Push(queue, std::move(message), kT0);
    int stream_batches = 0;
    for (int b = 0; b < 20; ++b) {
      if (b % every == 0) {
        std::vector<BatchTask> call = {Task(10, 2)};
        call[0].caller = std::make_shared<CallerState>();
        Push(queue, std::move(call), kT0 + absl::Milliseconds(b + 1));
      }
      const std::vector<int32_t> batch = Tags(queue.Next(kT0 + absl::Seconds(1), false).batch);
      ASSERT_EQ(batch.size(), 1u);
      stream_batches += batch[0] == 1;
    }
    EXPECT_EQ(stream_batches, expected) << "a new call every " << every << " batches";
  }
}

TEST(BatchQueueTest, RejectsASubmissionThatDoesNotFitWhole) {
  BatchQueue queue(Options(4, 1024, absl::Hours(1)));  // max_queue_windows 16
  std::vector<BatchTask> fifteen;
  for (int i = 0; i < 15; ++i) fifteen.push_back(Task(10, i));
  Push(queue, std::move(fifteen), kT0);
  std::vector<BatchTask> two = {Task(10, 100), Task(10, 101)};
  const absl::Status status = queue.Push(two, kT0);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(queue.size(), 15u);
  EXPECT_EQ(two.size(), 2u);  // the caller keeps the tasks it could not queue
}

TEST(BatchQueueTest, ASubmissionLargerThanTheWholeQueueIsInvalidNotExhausted) {
  BatcherOptions options = Options(4, 1024, absl::Hours(1));  // max_queue_windows 16
  options.max_queue_tokens = 100;
  BatchQueue queue(options);
  std::vector<BatchTask> seventeen;
  for (int i = 0; i < 17; ++i) seventeen.push_back(Task(2, i));
  EXPECT_EQ(queue.Push(seventeen, kT0).code(), absl::StatusCode::kInvalidArgument);
  std::vector<BatchTask> long_ones = {Task(60, 1), Task(60, 2)};
  const absl::Status too_long = queue.Push(long_ones, kT0);
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.message().find("120 tokens"), absl::string_view::npos) << too_long;
  EXPECT_EQ(queue.size(), 0u);
  // At the bounds exactly, an empty queue takes it.
  std::vector<BatchTask> sixteen;
  for (int i = 0; i < 16; ++i) sixteen.push_back(Task(6, i));
  EXPECT_TRUE(queue.Push(sixteen, kT0).ok());
}

TEST(BatchQueueTest, FlushReleasesPartialBatches) {
  BatchQueue queue(Options(8, 1024, absl::Hours(1)));
  MakeTrafficDense(queue);
  Push(queue, {Task(10, 1)}, kT0);
  EXPECT_TRUE(queue.Next(kT0, false).batch.empty());
  EXPECT_EQ(Tags(queue.Next(kT0, true).batch), (std::vector<int32_t>{1}));
}

TEST(BatchQueueTest, WindowsNobodyWaitsForAreDroppedBeforeBatching) {
  BatchQueue queue(Options(8, 1024, absl::ZeroDuration()));
  auto late = std::make_shared<CallerState>();
  late->deadline = kT0 + absl::Milliseconds(1);
  bool gone = false;
  auto leaving = std::make_shared<CallerState>();
  leaving->cancelled = [&gone] { return gone; };
  std::vector<BatchTask> first = {Task(10, 1), Task(10, 2)};
  for (BatchTask& t : first) t.caller = late;
  std::vector<BatchTask> second = {Task(10, 3)};
  second[0].caller = leaving;
  Push(queue, std::move(first), kT0);
  Push(queue, std::move(second), kT0);
  Push(queue, {Task(10, 4)}, kT0);  // no caller state: always run
  gone = true;
  BatchQueue::Poll poll = queue.Next(kT0 + absl::Milliseconds(1), false);
  EXPECT_EQ(Tags(poll.batch), (std::vector<int32_t>{4}));
  ASSERT_EQ(poll.dropped.size(), 3u);
  EXPECT_EQ(poll.dropped[0].first.token_ids[0], 1);
  EXPECT_EQ(poll.dropped[0].second, DropReason::kDeadline);
  EXPECT_EQ(poll.dropped[1].second, DropReason::kDeadline);
  EXPECT_EQ(poll.dropped[2].first.token_ids[0], 3);
  EXPECT_EQ(poll.dropped[2].second, DropReason::kCancelled);
  EXPECT_EQ(queue.size(), 0u);
}

TEST(BatchQueueTest, WindowsWithinTheirDeadlineAreBatched) {
  BatchQueue queue(Options(8, 1024, absl::ZeroDuration()));
  auto caller = std::make_shared<CallerState>();
  caller->deadline = kT0 + absl::Milliseconds(1);
  caller->cancelled = [] { return false; };
  std::vector<BatchTask> tasks = {Task(10, 1)};
  tasks[0].caller = caller;
  Push(queue, std::move(tasks), kT0);
  BatchQueue::Poll poll = queue.Next(kT0 + absl::Microseconds(999), false);
  EXPECT_EQ(Tags(poll.batch), (std::vector<int32_t>{1}));
  EXPECT_TRUE(poll.dropped.empty());
}

TEST(BatchQueueTest, TheTokenBoundRefusesWholeSubmissionsAndFreesAsBatchesLeave) {
  BatcherOptions options = Options(8, 1024, absl::ZeroDuration());
  options.max_queue_tokens = 25;
  BatchQueue queue(options);
  Push(queue, {Task(10, 1), Task(10, 2)}, kT0);
  std::vector<BatchTask> too_many = {Task(6, 3)};
  const absl::Status refused = queue.Push(too_many, kT0);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("20 of at most 25 tokens"), absl::string_view::npos) << refused;
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.Next(kT0, true).batch.size(), 2u);
  Push(queue, {Task(10, 4), Task(10, 5)}, kT0);  // room again
}

TEST(BatcherOptionsTest, ValidateNamesTheFieldToFix) {
  BatcherOptions options;
  options.max_batch_tokens = 64;
  const absl::Status status = options.Validate(128);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("max_batch_tokens"), absl::string_view::npos);
  BatcherOptions no_workers;
  no_workers.model_workers = 0;
  EXPECT_NE(no_workers.Validate(128).message().find("model_workers"), absl::string_view::npos);
  EXPECT_TRUE(BatcherOptions().Validate(128).ok());
}

TEST(BatcherOptionsTest, CudaDevicesGetGpuSizedDefaultsAndCpuTheFieldDefaults) {
  const BatcherOptions cpu = BatcherOptions::ForDevice("cpu");
  EXPECT_EQ(cpu.max_batch_size, BatcherOptions().max_batch_size);
  EXPECT_EQ(cpu.max_batch_tokens, BatcherOptions().max_batch_tokens);
  EXPECT_EQ(cpu.model_workers, BatcherOptions().model_workers);
  for (const char* device : {"cuda", "cuda:1"}) {
    const BatcherOptions gpu = BatcherOptions::ForDevice(device);
    EXPECT_GT(gpu.max_batch_size, cpu.max_batch_size) << device;
    EXPECT_GT(gpu.max_batch_tokens, cpu.max_batch_tokens) << device;
    EXPECT_GT(gpu.max_queue_windows, cpu.max_queue_windows) << device;
    EXPECT_TRUE(gpu.Validate(512).ok()) << device;
  }
}

}  // namespace
}  // namespace radlabel
