#include "batching/batcher.h"

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <thread>

#include "batching/retry_after.h"
#include "fake_model.h"
#include "manual_clock.h"

namespace radlabel {
namespace {

using testing::FakeModel;

constexpr int kPad = 0;

// One output per row: its first token (the tag) and its unpadded length.
std::vector<float> TagAndLength(const std::vector<int64_t>& ids, const std::vector<int64_t>& mask) {
  int64_t length = 0;
  for (int64_t m : mask) length += m;
  return {static_cast<float>(ids[0]), static_cast<float>(length)};
}

struct Outcome {
  absl::Status status;
  std::vector<float> values;
};

BatchTask Task(int length, int32_t tag, Outcome* outcome, testing::Countdown* counter) {
  BatchTask task;
  task.token_ids.assign(static_cast<size_t>(length), 7);
  task.token_ids[0] = tag;
  task.done = [outcome, counter](absl::StatusOr<WindowOutput> out) {
    if (out.ok()) {
      outcome->values.assign(out->probabilities.begin(), out->probabilities.end());
    } else {
      outcome->status = out.status();
    }
    counter->DecrementCount();
  };
  return task;
}

std::unique_ptr<Batcher> MakeBatcher(FakeModel& model, BatcherOptions options) {
  auto batcher = Batcher::Create(options, &model, kPad, /*outputs_per_window=*/2,
                                 /*model_max_tokens=*/16);
  EXPECT_TRUE(batcher.ok()) << batcher.status();
  return *std::move(batcher);
}

// Submits `count` tasks in one call, task i tagged first_tag + i and `length(i)` tokens long, and
// waits for all of them.
std::vector<Outcome> RunTasks(Batcher& batcher, int count, int first_tag, int (*length)(int)) {
  std::vector<Outcome> outcomes(static_cast<size_t>(count));
  testing::Countdown counter(count);
  std::vector<BatchTask> tasks;
  for (int i = 0; i < count; ++i) tasks.push_back(Task(length(i), first_tag + i, &outcomes[i], &counter));
  EXPECT_TRUE(batcher.Submit(std::move(tasks)).ok());
  counter.Wait();
  return outcomes;
}

TEST(BatcherTest, EveryTaskGetsItsOwnRowOnce) {
  FakeModel model(TagAndLength);
  BatcherOptions options;
  options.max_batch_size = 4;
  options.max_batch_tokens = 64;
  options.max_queue_delay = absl::ZeroDuration();
  auto batcher = MakeBatcher(model, options);
  constexpr int kTasks = 23;
  const std::vector<Outcome> outcomes = RunTasks(*batcher, kTasks, 1000, [](int i) { return 2 + i % 9; });
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(outcomes[i].status.ok()) << outcomes[i].status;
    EXPECT_EQ(outcomes[i].values, (std::vector<float>{1000.0f + i, 2.0f + i % 9}));
  }
  for (const TokenBatch& batch : model.batches()) {
    EXPECT_LE(batch.batch_size, 4);
    EXPECT_LE(batch.batch_size * batch.seq_len, 64);
  }
}

TEST(BatcherTest, PadsRowsAndMasksThePadding) {
  FakeModel model(TagAndLength);
  BatcherOptions options;
  options.max_batch_size = 2;
  auto batcher = MakeBatcher(model, options);
  std::vector<Outcome> outcomes(2);
  testing::Countdown counter(2);
  ASSERT_TRUE(batcher->Submit({Task(3, 11, &outcomes[0], &counter), Task(5, 12, &outcomes[1], &counter)}).ok());
  counter.Wait();
  const std::vector<TokenBatch> batches = model.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].seq_len, 5);
  EXPECT_EQ(batches[0].input_ids, (std::vector<int64_t>{11, 7, 7, kPad, kPad, 12, 7, 7, 7, 7}));
  EXPECT_EQ(batches[0].attention_mask, (std::vector<int64_t>{1, 1, 1, 0, 0, 1, 1, 1, 1, 1}));
}

TEST(BatcherTest, AModelErrorFailsOnlyItsBatchAndServingGoesOn) {
  FakeModel model(TagAndLength);
  model.FailWhen([](const TokenBatch& batch) { return batch.input_ids[0] == 666; });
  BatcherOptions options;
  options.max_batch_size = 1;
  options.max_queue_delay = absl::ZeroDuration();
  auto batcher = MakeBatcher(model, options);
  std::vector<Outcome> outcomes(3);
  testing::Countdown counter(3);
  ASSERT_TRUE(batcher->Submit({Task(4, 1, &outcomes[0], &counter), Task(4, 666, &outcomes[1], &counter),
                               Task(4, 3, &outcomes[2], &counter)})
                  .ok());
  counter.Wait();
  EXPECT_TRUE(outcomes[0].status.ok());
  EXPECT_EQ(outcomes[1].status.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(outcomes[2].status.ok());
}

TEST(BatcherTest, AFullQueueRefusesWithResourceExhausted) {
  FakeModel model(TagAndLength);
  testing::Notification entered, release;
  model.HoldInRun(&entered, &release);
  BatcherOptions options;
  options.max_batch_size = 2;
  options.max_queue_windows = 4;
  options.max_queue_delay = absl::ZeroDuration();
  options.model_workers = 1;  // one batch in the model, the rest counted in the queue
  auto batcher = MakeBatcher(model, options);
  std::vector<Outcome> outcomes(5);
  testing::Countdown counter(5);
  ASSERT_TRUE(batcher->Submit({Task(4, 0, &outcomes[0], &counter)}).ok());
  entered.WaitForNotification();  // the worker holds task 0 inside the model: the queue is empty
  std::vector<BatchTask> four;
  for (int i = 1; i <= 4; ++i) four.push_back(Task(4, i, &outcomes[i], &counter));
  ASSERT_TRUE(batcher->Submit(std::move(four)).ok());
  Outcome refused_outcome;
  testing::Countdown unused(1);
  const absl::Status refused = batcher->Submit({Task(4, 9, &refused_outcome, &unused)});
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  release.Notify();
  counter.Wait();
  for (const Outcome& o : outcomes) EXPECT_TRUE(o.status.ok());
}

// Submits `count` tasks of 4 tokens, their outcomes appended to `outcomes` (a deque: the tasks
// keep pointers into it).
absl::Status SubmitTasks(Batcher& batcher, int count, std::deque<Outcome>& outcomes,
                         testing::Countdown& counter) {
  std::vector<BatchTask> tasks;
  for (int i = 0; i < count; ++i) tasks.push_back(Task(4, i, &outcomes.emplace_back(), &counter));
  return batcher.Submit(std::move(tasks));
}

TEST(BatcherTest, AFullQueueBooksEachRefusedCallARetryAsRoomAppears) {
  testing::ManualClock clock;
  FakeModel model(TagAndLength);
  model.TakeTimeInRun(&clock, absl::Milliseconds(100));  // 50 ms a window in batches of 2
  BatcherOptions options;
  options.max_batch_size = 2;
  options.max_queue_windows = 4;
  options.max_queue_delay = absl::ZeroDuration();
  options.model_workers = 1;
  options.clock = &clock;
  auto batcher = MakeBatcher(model, options);
  std::deque<Outcome> outcomes;

  // Batches of two that left two windows queued measure the drain; a refusal before three have
  // run carries no hint.
  testing::Notification entered, release;
  model.HoldInRun(&entered, &release);
  testing::Countdown first(4);
  ASSERT_TRUE(SubmitTasks(*batcher, 4, outcomes, first).ok());
  entered.WaitForNotification();
  testing::Countdown never_run(3);
  const absl::Status unmeasured = SubmitTasks(*batcher, 3, outcomes, never_run);
  EXPECT_EQ(unmeasured.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(RetryAfter(unmeasured).has_value()) << "a hint before the drain was measured";
  release.Notify();
  first.Wait();
  for (int i = 1; i < ModelSpeed::kNeeded; ++i) {
    testing::Countdown measured(4);
    ASSERT_TRUE(SubmitTasks(*batcher, 4, outcomes, measured).ok());
    measured.Wait();
  }

  // A batch of two held in the model, four windows queued: calls of two more are refused. The
  // first would fit once two queued windows have run (100 ms at 50 ms each), the next after
  // that first one's room (200 ms), and none later than the queue's drain (200 ms).
  testing::Notification entered_again, release_again;
  model.HoldInRun(&entered_again, &release_again);
  testing::Countdown loaded(6);
  ASSERT_TRUE(SubmitTasks(*batcher, 2, outcomes, loaded).ok());
  entered_again.WaitForNotification();
  ASSERT_TRUE(SubmitTasks(*batcher, 4, outcomes, loaded).ok());
  const auto refuse = [&] {
    testing::Countdown refused_run(2);
    const absl::Status refused = SubmitTasks(*batcher, 2, outcomes, refused_run);
    EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
    return RetryAfter(refused);
  };
  EXPECT_EQ(refuse(), absl::Milliseconds(100));
  EXPECT_EQ(refuse(), absl::Milliseconds(200));
  EXPECT_EQ(refuse(), absl::Milliseconds(200));
  // Once the booked room is past, a refusal is told when it fits again.
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(refuse(), absl::Milliseconds(100));
  release_again.Notify();
  loaded.Wait();
}

TEST(BatcherTest, WorkWhoseCallerStoppedWaitingNeverReachesTheModel) {
  FakeModel model(TagAndLength);
  testing::Notification entered, release;
  model.HoldInRun(&entered, &release);
  BatcherOptions options;
  options.max_batch_size = 1;
  options.max_queue_delay = absl::ZeroDuration();
  options.model_workers = 1;
  auto batcher = MakeBatcher(model, options);
  std::vector<Outcome> outcomes(3);
  testing::Countdown counter(3);
  ASSERT_TRUE(batcher->Submit({Task(4, 1, &outcomes[0], &counter)}).ok());
  entered.WaitForNotification();  // task 1 holds the only worker: the others wait in the queue
  auto expired = std::make_shared<CallerState>();
  expired->deadline = absl::InfinitePast();
  std::vector<BatchTask> late = {Task(4, 2, &outcomes[1], &counter)};
  late[0].caller = expired;
  auto cancelled = std::make_shared<CallerState>();
  cancelled->cancelled = [] { return true; };
  std::vector<BatchTask> gone = {Task(4, 3, &outcomes[2], &counter)};
  gone[0].caller = cancelled;
  ASSERT_TRUE(batcher->Submit(std::move(late)).ok());
  ASSERT_TRUE(batcher->Submit(std::move(gone)).ok());
  release.Notify();
  counter.Wait();
  EXPECT_TRUE(outcomes[0].status.ok());
  EXPECT_EQ(outcomes[1].status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(outcomes[2].status.code(), absl::StatusCode::kCancelled);
  ASSERT_EQ(model.batches().size(), 1u) << "dropped work reached the model";
  EXPECT_EQ(model.batches()[0].input_ids[0], 1);
}

TEST(BatcherTest, SeveralWorkersRunBatchesOnTheModelAtOnce) {
  FakeModel model(TagAndLength);
  // Each run waits inside the model until a second is there too: one worker alone would wait
  // out the timeout and leave the most concurrent runs at 1.
  model.GatherConcurrentRuns(2, absl::Seconds(60));
  BatcherOptions options;
  options.max_batch_size = 1;
  options.max_queue_delay = absl::ZeroDuration();
  auto batcher = MakeBatcher(model, options);
  constexpr int kTasks = 6;
  const std::vector<Outcome> outcomes = RunTasks(*batcher, kTasks, 100, [](int) { return 3; });
  EXPECT_EQ(model.most_concurrent_runs(), 2);
  for (int i = 0; i < kTasks; ++i) EXPECT_EQ(outcomes[i].values, (std::vector<float>{100.0f + i, 3.0f}));
  EXPECT_EQ(model.batches().size(), static_cast<size_t>(kTasks));
}

TEST(BatcherTest, StopRunsQueuedWorkThenRefusesNewWork) {
  FakeModel model(TagAndLength);
  testing::Notification entered, release;
  model.HoldInRun(&entered, &release);
  auto batcher = MakeBatcher(model, BatcherOptions());
  std::vector<Outcome> outcomes(2);
  testing::Countdown counter(2);
  ASSERT_TRUE(batcher->Submit({Task(4, 1, &outcomes[0], &counter)}).ok());
  entered.WaitForNotification();  // the worker is inside the model with task 1
  ASSERT_TRUE(batcher->Submit({Task(6, 2, &outcomes[1], &counter)}).ok());  // queued
  std::thread stopper([&] { batcher->Stop(); });
  release.Notify();
  stopper.join();
  counter.Wait();
  EXPECT_EQ(outcomes[1].values, (std::vector<float>{2.0f, 6.0f}));
  Outcome late;
  testing::Countdown unused(1);
  EXPECT_EQ(batcher->Submit({Task(4, 3, &late, &unused)}).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace radlabel
