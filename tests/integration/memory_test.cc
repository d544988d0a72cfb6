// Memory that stays bounded whatever callers send: calls of the largest message at once keep
// the server under its stated bound (ServiceOptions::max_request_bytes_in_flight, README), an
// unauthenticated caller's message is never read, and memory goes back after a peak.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/barrier.h"
#include "integration/server_process.h"
#include "radlabel/v1/labeller.grpc.pb.h"

namespace radlabel::testing {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

// Whether this build runs under AddressSanitizer (GCC's macro, or clang's feature test).
#if defined(__SANITIZE_ADDRESS__)
#define RADLABEL_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RADLABEL_ADDRESS_SANITIZER 1
#endif
#endif
#ifndef RADLABEL_ADDRESS_SANITIZER
#define RADLABEL_ADDRESS_SANITIZER 0
#endif

// A LabelRequest just under the server's default largest message (64 MiB): one report whose
// text is over the report limit, so that it fails alone and the memory is all the message's.
v1::LabelRequest LargestRequest() {
  v1::LabelRequest request;
  v1::Report* report = request.add_reports();
  report->set_id("largest");
  report->set_text(std::string(64 * kMiB - 1024, 'a'));
  return request;
}

struct Outcome {
  std::vector<grpc::StatusCode> codes;
  int64_t peak_resident = 0;
};

// `calls` Label calls of `request` at once, each on its own channel (as many clients would),
// with `token` as bearer token when not empty; the server's RSS is sampled meanwhile.
Outcome CallAtOnce(const ServerProcess& server, const v1::LabelRequest& request, int calls,
                   const std::string& token) {
  Outcome outcome;
  outcome.codes.assign(calls, grpc::StatusCode::UNKNOWN);
  std::vector<std::unique_ptr<v1::Labeller::Stub>> stubs;
  for (int c = 0; c < calls; ++c) {
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(-1);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection per channel
    stubs.push_back(v1::Labeller::NewStub(
        grpc::CreateCustomChannel(server.target(), grpc::InsecureChannelCredentials(), args)));
  }
  std::atomic<int> running{calls};
  absl::Barrier* start = new absl::Barrier(calls);
  std::vector<std::thread> threads;
  for (int c = 0; c < calls; ++c) {
    threads.emplace_back([&, c] {
      if (start->Block()) delete start;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
      if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
      v1::LabelResponse response;
      outcome.codes[c] = stubs[c]->Label(&context, request, &response).error_code();
      --running;
    });
  }
  while (running.load() > 0) {
    outcome.peak_resident = std::max(outcome.peak_resident, server.resident_bytes());
    absl::SleepFor(absl::Milliseconds(20));  // a sampling period, not a synchronisation
  }
  for (std::thread& t : threads) t.join();
  return outcome;
}

int64_t Count(const std::vector<grpc::StatusCode>& codes, grpc::StatusCode code) {
  return std::count(codes.begin(), codes.end(), code);
}

// Labels one report, so that the model has run and its working set is in use.
void WarmUp(const ServerProcess& server, const std::string& token) {
  auto stub = v1::Labeller::NewStub(
      grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials()));
  v1::LabelRequest request;
  v1::Report* report = request.add_reports();
  report->set_id("warm-up");
  report->set_text("FINDINGS: Generalised atrophy, more than expected for age.");
  grpc::ClientContext context;
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  v1::LabelResponse response;
  ASSERT_TRUE(stub->Label(&context, request, &response).ok());
}

TEST(MemoryTest, ThirtyTwoCallsOfTheLargestMessageAtOnceStayUnderOneGiBAndMemoryComesBack) {
#if RADLABEL_ADDRESS_SANITIZER
  // The bound is the release server's: AddressSanitizer's shadow memory and quarantine of freed
  // blocks (which no trim returns) are not. Its other cases run under ASan too.
  GTEST_SKIP() << "a memory bound of the release build";
#endif
  constexpr int64_t kBound = 1024 * kMiB;  // README: at most 1 GiB with the default flags
  auto server = ServerProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  WarmUp(**server, "");
  const int64_t before = (*server)->resident_bytes();

  const Outcome outcome = CallAtOnce(**server, LargestRequest(), 32, "");
  EXPECT_EQ(Count(outcome.codes, grpc::StatusCode::OK), 32) << "each call answered";
  EXPECT_LT(outcome.peak_resident, kBound) << "peak RSS " << outcome.peak_resident / kMiB << " MiB";
  EXPECT_TRUE(AwaitResidentBytesAtMost(**server, before * 5 / 4, absl::Seconds(30)))
      << "RSS " << (*server)->resident_bytes() / kMiB << " MiB 30 s after the peak; before it "
      << before / kMiB << " MiB";
  std::cout << "32 largest calls: RSS before " << before / kMiB << " MiB, peak "
            << outcome.peak_resident / kMiB << " MiB\n";
}

TEST(MemoryTest, UnauthenticatedCallsOfTheLargestMessageAreRefusedWithoutReadingThem) {
  const std::string token_file = ::testing::TempDir() + "/memory_test_token";
  std::ofstream(token_file) << "the-right-token\n";
  auto server = ServerProcess::Start({"--auth_token_file=" + token_file});
  ASSERT_TRUE(server.ok()) << server.status();
  WarmUp(**server, "the-right-token");
  const int64_t before = (*server)->resident_bytes();

  const Outcome outcome = CallAtOnce(**server, LargestRequest(), 48, "a-wrong-token");
  EXPECT_EQ(Count(outcome.codes, grpc::StatusCode::UNAUTHENTICATED), 48);
  EXPECT_LT(outcome.peak_resident - before, 50 * kMiB)
      << "RSS before " << before / kMiB << " MiB, peak " << outcome.peak_resident / kMiB << " MiB";
  std::cout << "48 unauthenticated largest calls: RSS before " << before / kMiB << " MiB, peak "
            << outcome.peak_resident / kMiB << " MiB\n";
}

}  // namespace
}  // namespace radlabel::testing
