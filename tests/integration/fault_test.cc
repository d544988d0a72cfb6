// Faults that must stay with their caller: a malformed message, and a client that vanishes
// mid-stream, leave the server serving everyone else.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>

#include "grpc/health/v1/health.grpc.pb.h"
#include "integration/server_process.h"
#include "radlabel/client.h"

namespace radlabel::testing {
namespace {

v1::Report Report(const std::string& id, const std::string& text) {
  v1::Report report;
  report.set_id(id);
  report.set_text(text);
  return report;
}

void ExpectServing(Client& client, const std::string& target) {
  auto results = client.Label({Report("after", "Acute infarct.")});
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].status().code(), 0);
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, grpc::health::v1::HealthCheckRequest(), &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST(FaultTest, AMalformedMessageFailsOnlyItsOwnCall) {
  auto server = ServerProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel((*server)->target(), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  const std::string garbage = "\x0a\xff\xff\xff\xff\x0f not a LabelRequest";
  grpc::Slice slice(garbage);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext context;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/radlabel.v1.Labeller/Label", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(status); });
  const grpc::Status status = done.get_future().get();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  auto client = Client::Connect((*server)->target());
  ASSERT_TRUE(client.ok());
  ExpectServing(**client, (*server)->target());
}

TEST(FaultTest, AClientThatVanishesMidStreamLeavesTheOthersServed) {
  auto server = ServerProcess::Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  auto leaving = Client::Connect((*server)->target());
  auto staying = Client::Connect((*server)->target());
  ASSERT_TRUE(leaving.ok() && staying.ok());
  std::string text = "FINDINGS:";
  for (int i = 0; i < 30; ++i) text += " Periventricular white matter hyperintensities.";
  // A stream of 2,000 reports whose reader gives up after the first result: the client
  // cancels the call with most of its reports still queued or unsent.
  int next = 0;
  const absl::Status abandoned = (*leaving)->LabelStream(
      [&]() -> absl::StatusOr<std::optional<v1::Report>> {
        if (next == 2000) return std::nullopt;
        return Report("l" + std::to_string(next++), text);
      },
      [](v1::ReportResult) { return absl::AbortedError("the pipeline stopped"); });
  EXPECT_EQ(abandoned.code(), absl::StatusCode::kAborted) << abandoned;
  ExpectServing(**staying, (*server)->target());
}

}  // namespace
}  // namespace radlabel::testing
