// Admission control seen from clients: a unary call that does not fit the server's queue is
// refused at once with RESOURCE_EXHAUSTED and a grpc-retry-pushback-ms trailer, the client
// library's retry policy turns such refusals into answers, and sustained overload leaves the
// server answering every call within a memory bound.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <optional>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/synchronization/barrier.h"
#include "integration/metrics_scrape.h"
#include "integration/server_process.h"
#include "radlabel/client.h"

namespace radlabel::testing {
namespace {

constexpr int kCallers = 8;
constexpr int kCallsEach = 3;

v1::LabelRequest OneReport(int caller, int call) {
  v1::LabelRequest request;
  v1::Report* report = request.add_reports();
  report->set_id(absl::StrCat("c", caller, "-", call));
  std::string text = "FINDINGS:";
  for (int i = 0; i < 20; ++i) text += " Generalised atrophy, more than expected for age.";
  report->set_text(text);
  return request;
}

// One Label call straight on the stub, without the client library's retries: its code and its
// grpc-retry-pushback-ms trailer, if it came with one.
struct Answer {
  grpc::StatusCode code;
  std::optional<int64_t> pushback_ms;
};
Answer CallOnce(v1::Labeller::Stub& stub, int caller, int call) {
  grpc::ClientContext context;
  v1::LabelResponse response;
  const grpc::Status status = stub.Label(&context, OneReport(caller, call), &response);
  const auto& trailers = context.GetServerTrailingMetadata();
  const auto pushback = trailers.find("grpc-retry-pushback-ms");
  int64_t ms = 0;
  if (pushback == trailers.end() ||
      !absl::SimpleAtoi(absl::string_view(pushback->second.data(), pushback->second.size()), &ms)) {
    return {status.error_code(), std::nullopt};
  }
  return {status.error_code(), ms};
}

// Runs kCallers threads of `calls_each` calls, started together; returns each call's status.
template <typename Call>
std::vector<grpc::StatusCode> Hammer(int calls_each, Call call) {
  std::vector<grpc::StatusCode> codes(kCallers * calls_each, grpc::StatusCode::UNKNOWN);
  absl::Barrier* start = new absl::Barrier(kCallers);
  std::vector<std::thread> threads;
  for (int c = 0; c < kCallers; ++c) {
    threads.emplace_back([&, c] {
      if (start->Block()) delete start;
      for (int i = 0; i < calls_each; ++i) codes[c * calls_each + i] = call(c, i);
    });
  }
  for (std::thread& t : threads) t.join();
  return codes;
}

TEST(RetryTest, AFullQueueRefusesWithPushbackAndTheClientRetriesUntilAnswered) {
  // Room for 5 windows (4 queued, 1 in the model) and 8 callers of one window each.
  auto server = ServerProcess::Start({"--max_queue_windows=4", "--max_batch_size=1",
                                      "--model_workers=1", "--retry_pushback=1s"});
  ASSERT_TRUE(server.ok()) << server.status();

  // Without retries: some calls are refused, each with the pushback trailer.
  auto channel = grpc::CreateChannel((*server)->target(), grpc::InsecureChannelCredentials());
  auto stub = v1::Labeller::NewStub(channel);
  std::atomic<int> with_pushback{0};
  const auto raw = Hammer(kCallsEach, [&](int caller, int call) {
    const Answer answer = CallOnce(*stub, caller, call);
    if (answer.pushback_ms.value_or(-1) >= 1000) ++with_pushback;  // the floor, or more
    return answer.code;
  });
  const int refused = static_cast<int>(
      std::count(raw.begin(), raw.end(), grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_GT(refused, 0) << "8 callers and room for 5 windows: some calls must be refused";
  EXPECT_EQ(with_pushback.load(), refused);
  EXPECT_EQ(refused + std::count(raw.begin(), raw.end(), grpc::StatusCode::OK), kCallers * kCallsEach);

  // With the client library's retries: every call is answered. One call per caller: with
  // several, a caller answered at once takes the freed room with its next call, so a refused
  // caller, waiting out its pushback, gets in only once another caller has made all its calls,
  // about 11 windows later, which a loaded sanitizer build took longer than 4 retries to reach
  // (CI: 21 of 24 answered). One call each, the refused get in once 3 windows are done.
  auto client = Client::Connect((*server)->target());
  ASSERT_TRUE(client.ok()) << client.status();
  const auto refusals = [&] {
    return SeriesValue(ParseExposition(ScrapeMetrics(**server)),
                       R"(radlabel_rejections_total{reason="queue_full"})");
  };
  const double refused_before = refusals();
  const auto retried = Hammer(1, [&](int caller, int call) {
    auto results = (*client)->Label({OneReport(caller, call).reports(0)});
    return results.ok() ? grpc::StatusCode::OK : static_cast<grpc::StatusCode>(results.status().code());
  });
  EXPECT_EQ(std::count(retried.begin(), retried.end(), grpc::StatusCode::OK), kCallers);
  EXPECT_GT(refusals() - refused_before, 0) << "no call was refused, so none was retried";
}

// With no floor (--retry_pushback=0) the pushback is the batcher's booking of room in the
// draining queue (batching/batcher.h; its schedule is unit-tested), there once batches have run
// under load.
TEST(RetryTest, UnderLoadThePushbackComesFromTheQueuesDrain) {
  auto server = ServerProcess::Start({"--max_queue_windows=4", "--max_batch_size=1",
                                      "--model_workers=1", "--retry_pushback=0"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel((*server)->target(), grpc::InsecureChannelCredentials());
  auto stub = v1::Labeller::NewStub(channel);
  std::atomic<int> refused{0}, estimated{0};
  // Each call is tried at once until answered, so refusals go on while the queue drains.
  const auto codes = Hammer(kCallsEach, [&](int caller, int call) {
    while (true) {
      const Answer answer = CallOnce(*stub, caller, call);
      if (answer.code != grpc::StatusCode::RESOURCE_EXHAUSTED) return answer.code;
      ++refused;
      if (answer.pushback_ms.value_or(0) > 0) ++estimated;
    }
  });
  EXPECT_EQ(std::count(codes.begin(), codes.end(), grpc::StatusCode::OK), kCallers * kCallsEach);
  EXPECT_GT(estimated.load(), 0) << refused.load() << " refusals, none with an estimate";
}

// 30 s of at least 10x the load the server can serve: every call is answered (a result or
// RESOURCE_EXHAUSTED, nothing else), the server's RSS stays under 1.5 GiB, and afterwards it
// serves as before and its RSS comes back within 25% of what it was before the load within
// 30 s.
TEST(OverloadTest, TenTimesCapacityForThirtySecondsIsAnsweredWithinAMemoryBound) {
  constexpr int64_t kRssBound = int64_t{3} << 29;  // 1.5 GiB; about 0.4 GiB idle
  constexpr absl::Duration kOverload = absl::Seconds(30);
  // 32 callers keep up to 512 windows in flight: 8 times what the queue holds.
  auto server = ServerProcess::Start({"--max_queue_windows=64"});
  ASSERT_TRUE(server.ok()) << server.status();
  ClientOptions options;
  options.max_attempts = 1;  // count refusals instead of retrying them
  auto client = Client::Connect((*server)->target(), options);
  ASSERT_TRUE(client.ok()) << client.status();

  std::vector<v1::Report> reports;
  for (int i = 0; i < 16; ++i) reports.push_back(OneReport(i, 0).reports(0));
  ASSERT_TRUE((*client)->Label(reports).ok());  // the model has run: its working set is in use
  const int64_t before_load = (*server)->resident_bytes();
  std::atomic<int64_t> served{0}, refused{0}, other{0};
  std::atomic<bool> stop{false};
  const absl::Time end = absl::Now() + kOverload;
  std::vector<std::thread> callers;
  for (int c = 0; c < 32; ++c) {
    callers.emplace_back([&] {
      while (!stop.load()) {
        auto results = (*client)->Label(reports);
        if (results.ok()) {
          served += static_cast<int64_t>(results->size());
        } else if (results.status().code() == absl::StatusCode::kResourceExhausted) {
          refused += static_cast<int64_t>(reports.size());
        } else {
          ++other;
        }
      }
    });
  }
  int64_t peak_rss = 0;
  while (absl::Now() < end) {
    peak_rss = std::max(peak_rss, (*server)->resident_bytes());
    absl::SleepFor(absl::Milliseconds(100));  // a sampling period, not a synchronisation
  }
  stop = true;
  for (std::thread& t : callers) t.join();

  EXPECT_EQ(other.load(), 0) << "calls answered with neither a result nor RESOURCE_EXHAUSTED";
  EXPECT_GT(served.load(), 0);
  EXPECT_GE(refused.load() + served.load(), 10 * served.load())
      << "offered " << refused.load() + served.load() << " reports, served " << served.load()
      << ": less than 10x capacity";
  EXPECT_GT(peak_rss, 0);
  EXPECT_LT(peak_rss, kRssBound) << "peak RSS " << peak_rss;
  auto after = (*client)->Label({OneReport(0, 1).reports(0)});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ((*after)[0].status().code(), 0);
  EXPECT_TRUE(AwaitResidentBytesAtMost(**server, before_load * 5 / 4, absl::Seconds(30)))
      << "RSS " << (*server)->resident_bytes() << " 30 s after the load; before it "
      << before_load;
  std::cout << "overload: offered " << refused.load() + served.load() << " reports in "
            << absl::FormatDuration(kOverload) << ", served " << served.load() << ", peak RSS "
            << peak_rss / (1 << 20) << " MiB\n";
}

TEST(RetryTest, RetryOptionsOutOfRangeAreRefused) {
  ClientOptions options;
  options.max_attempts = 6;
  EXPECT_EQ(Client::Connect("127.0.0.1:1", options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace radlabel::testing
