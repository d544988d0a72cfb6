// Admission control seen from clients: a unary call that does not fit the server's queue is
// refused at once with RESOURCE_EXHAUSTED and a grpc-retry-pushback-ms trailer, and the client
// library's retry policy turns such refusals into answers.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
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

// Runs kCallers threads of kCallsEach calls, started together; returns each call's status.
template <typename Call>
std::vector<grpc::StatusCode> Hammer(Call call) {
  std::vector<grpc::StatusCode> codes(kCallers * kCallsEach, grpc::StatusCode::UNKNOWN);
  absl::Barrier* start = new absl::Barrier(kCallers);
  std::vector<std::thread> threads;
  for (int c = 0; c < kCallers; ++c) {
    threads.emplace_back([&, c] {
      if (start->Block()) delete start;
      for (int i = 0; i < kCallsEach; ++i) codes[c * kCallsEach + i] = call(c, i);
    });
  }
  for (std::thread& t : threads) t.join();
  return codes;
}

TEST(RetryTest, AFullQueueRefusesWithPushbackAndTheClientRetriesUntilAnswered) {
  // Room for 5 windows (4 queued, 1 in the model) and 8 callers of one window each.
  auto server = ServerProcess::Start({"--max_queue_windows=4", "--max_batch_size=1",
                                      "--model_workers=1", "--retry_pushback=50ms"});
  ASSERT_TRUE(server.ok()) << server.status();

  // Without retries: some calls are refused, each with the pushback trailer.
  auto channel = grpc::CreateChannel((*server)->target(), grpc::InsecureChannelCredentials());
  auto stub = v1::Labeller::NewStub(channel);
  std::atomic<int> with_pushback{0};
  const auto raw = Hammer([&](int caller, int call) {
    grpc::ClientContext context;
    v1::LabelResponse response;
    const grpc::Status status = stub->Label(&context, OneReport(caller, call), &response);
    const auto& trailers = context.GetServerTrailingMetadata();
    const auto pushback = trailers.find("grpc-retry-pushback-ms");
    if (pushback != trailers.end() && std::string(pushback->second.data(), pushback->second.size()) == "50") {
      ++with_pushback;
    }
    return status.error_code();
  });
  const int refused = static_cast<int>(
      std::count(raw.begin(), raw.end(), grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_GT(refused, 0) << "8 callers and room for 5 windows: some calls must be refused";
  EXPECT_EQ(with_pushback.load(), refused);
  EXPECT_EQ(refused + std::count(raw.begin(), raw.end(), grpc::StatusCode::OK), kCallers * kCallsEach);

  // With the client library's retries: every call is answered.
  auto client = Client::Connect((*server)->target());
  ASSERT_TRUE(client.ok()) << client.status();
  const auto retried = Hammer([&](int caller, int call) {
    auto results = (*client)->Label({OneReport(caller, call).reports(0)});
    return results.ok() ? grpc::StatusCode::OK : static_cast<grpc::StatusCode>(results.status().code());
  });
  EXPECT_EQ(std::count(retried.begin(), retried.end(), grpc::StatusCode::OK), kCallers * kCallsEach);
}

TEST(RetryTest, RetryOptionsOutOfRangeAreRefused) {
  ClientOptions options;
  options.max_attempts = 6;
  EXPECT_EQ(Client::Connect("127.0.0.1:1", options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace radlabel::testing
