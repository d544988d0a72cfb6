// The gRPC service layer in process: a grpc::Server without a port, reached through its
// in-process channel, in front of the real labeller and batcher with a fake model (no LibTorch,
// no network). Covers what only the service does: a stream's bounded read-ahead, responses
// written in request order, the drain when the client goes (deadline or cancel), messages that
// are not LabelRequests, and the budget of request bytes.
#include "service/labeller_service.h"

#include <gtest/gtest.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/pipeline.h"
#include "absl/strings/str_cat.h"
#include "fake_model.h"
#include "manual_clock.h"
#include "radlabel/v1/labeller.grpc.pb.h"
#include "word_bundle.h"

namespace radlabel {
namespace {

using testing::FakeModel;
using testing::Notification;

// Records the batcher's queue depth and dropped windows, and lets a test wait for them.
class RecordingObserver final : public BatcherObserver {
 public:
  void OnBatch(const BatchStats&) override {}
  void OnQueueDepth(int64_t windows) override {
    std::lock_guard<std::mutex> lock(mu_);
    depth_ = windows;
    deepest_ = std::max(deepest_, windows);
    changed_.notify_all();
  }
  void OnDropped(DropReason, int64_t windows) override {
    std::lock_guard<std::mutex> lock(mu_);
    dropped_ += windows;
    changed_.notify_all();
  }
  // Whether `condition(depth, dropped)` held within `timeout`.
  template <typename Condition>
  bool WaitFor(Condition condition, absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                             [&] { return condition(depth_, dropped_); });
  }
  int64_t deepest() {
    std::lock_guard<std::mutex> lock(mu_);
    return deepest_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int64_t depth_ = 0, deepest_ = 0, dropped_ = 0;
};

// A model that holds every batch holding `held_word` until released, and runs the others.
class GateModel final : public Model {
 public:
  explicit GateModel(int64_t held_word) : held_word_(held_word), inner_(testing::WordDetector) {}
  bool SupportsEvidence() const override { return false; }
  absl::StatusOr<ModelOutput> Run(const TokenBatch& batch) override {
    if (std::find(batch.input_ids.begin(), batch.input_ids.end(), held_word_) !=
        batch.input_ids.end()) {
      release_.WaitForNotification();
    }
    absl::StatusOr<ModelOutput> out = inner_.Run(batch);
    std::lock_guard<std::mutex> lock(mu_);
    ++completed_;
    changed_.notify_all();
    return out;
  }
  void Release() { release_.Notify(); }
  void WaitForCompletedBatches(int batches) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return completed_ >= batches; });
  }

 private:
  const int64_t held_word_;
  FakeModel inner_;
  Notification release_;
  std::mutex mu_;
  std::condition_variable changed_;
  int completed_ = 0;
};

class LabellerServiceTest : public ::testing::Test {
 protected:
  // One-window messages, one window per batch, `workers` model workers. `request_bytes`, when
  // set, is both the largest message and the budget of request bytes: one message at a time.
  void Start(std::unique_ptr<Model> model, int workers, int messages_in_flight,
             int request_bytes = 0) {
    BatcherOptions batching;
    batching.max_batch_size = 1;
    batching.max_queue_delay = absl::ZeroDuration();
    batching.model_workers = workers;
    batching.observer = &observer_;
    batching.clock = &clock_;
    pipeline_ = *Pipeline::Create(testing::TestBundle(),
                                  *WordPieceTokenizer::Create(testing::kVocab, {}),
                                  std::move(model), batching);
    metrics_ = std::make_unique<Metrics>(pipeline_->bundle());
    ServiceOptions options;
    options.max_stream_messages_in_flight = messages_in_flight;
    if (request_bytes > 0) {
      options.max_message_bytes = request_bytes;
      options.max_request_bytes_in_flight = request_bytes;
    }
    requests_ = std::make_unique<RequestLabeller>(pipeline_->labeller(), pipeline_->bundle(),
                                                  batching, options, *metrics_, nullptr);
    service_ = std::make_unique<LabellerService>(*requests_);
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    builder.RegisterCallbackGenericService(service_->label_method());
    server_ = builder.BuildAndStart();
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
    stub_ = v1::Labeller::NewStub(channel_);
  }

  ~LabellerServiceTest() override {
    if (server_) server_->Shutdown();
  }

  // Shutting down finds no call to wait for: every reactor has finished. Then the counts are
  // final.
  void ExpectNoCallLeft() {
    const absl::Time before = absl::Now();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(60));
    EXPECT_LT(absl::Now() - before, absl::Seconds(30));
    server_.reset();
  }

  static v1::LabelRequest OneReport(const std::string& id, const std::string& text) {
    v1::LabelRequest request;
    v1::Report* report = request.add_reports();
    report->set_id(id);
    report->set_text(text);
    return request;
  }

  testing::ManualClock clock_;
  RecordingObserver observer_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<RequestLabeller> requests_;
  std::unique_ptr<LabellerService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Labeller::Stub> stub_;
};

// Bytes that no LabelRequest parses from: a field tag with the invalid wire type 7.
grpc::ByteBuffer NotALabelRequest() {
  const std::string bytes = "\x0f\x01\x02";
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

TEST_F(LabellerServiceTest, AStreamReadsAheadOnlyUpToItsLimitWhileTheModelIsBusy) {
  Notification entered, release;
  auto model = std::make_unique<FakeModel>(testing::WordDetector);
  FakeModel* fake = model.get();
  fake->HoldInRun(&entered, &release);
  Start(std::move(model), /*workers=*/1, /*messages_in_flight=*/2);

  grpc::ClientContext context;
  auto stream = stub_->LabelStream(&context);
  // In process, a write completes only once the server reads it: write from another thread.
  std::thread writer([&] {
    for (int m = 0; m < 6; ++m) {
      if (!stream->Write(OneReport("r" + std::to_string(m), "mass"))) return;
    }
    stream->WritesDone();
  });
  // The first message is in the model, the second queued; then the server stops reading.
  entered.WaitForNotification();
  ASSERT_TRUE(observer_.WaitFor([](int64_t depth, int64_t) { return depth == 1; },
                                absl::Seconds(30)));
  // Nothing can wake a read now but a written response, so a third message queued within this
  // time would be a read past the limit.
  EXPECT_FALSE(observer_.WaitFor([](int64_t depth, int64_t) { return depth > 1; },
                                 absl::Milliseconds(300)));

  release.Notify();
  v1::LabelResponse response;
  for (int m = 0; m < 6; ++m) {
    ASSERT_TRUE(stream->Read(&response));
    ASSERT_EQ(response.results_size(), 1);
    EXPECT_EQ(response.results(0).id(), "r" + std::to_string(m));
    EXPECT_EQ(response.results(0).labels(1).decision(), "positive");
  }
  EXPECT_FALSE(stream->Read(&response));
  writer.join();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_LE(observer_.deepest(), 2);  // never more than the read-ahead limit waited
  EXPECT_EQ(fake->batches().size(), 6u);
}

TEST_F(LabellerServiceTest, ResponsesAreWrittenInRequestOrderWhenALaterOneFinishesFirst) {
  auto model = std::make_unique<GateModel>(testing::kStroke);
  GateModel* gate = model.get();
  Start(std::move(model), /*workers=*/2, /*messages_in_flight=*/4);

  grpc::ClientContext context;
  auto stream = stub_->LabelStream(&context);
  ASSERT_TRUE(stream->Write(OneReport("slow", "stroke")));
  ASSERT_TRUE(stream->Write(OneReport("fast", "mass")));
  ASSERT_TRUE(stream->WritesDone());
  gate->WaitForCompletedBatches(1);  // "fast" is labelled while "slow" is held
  gate->Release();

  v1::LabelResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.results(0).id(), "slow");
  EXPECT_EQ(response.results(0).labels(0).decision(), "positive");
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.results(0).id(), "fast");
  EXPECT_EQ(response.results(0).labels(1).decision(), "positive");
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(LabellerServiceTest, AStreamWhoseDeadlinePassesHasItsQueuedWorkDroppedAndDrains) {
  Notification entered, release;
  auto model = std::make_unique<FakeModel>(testing::WordDetector);
  FakeModel* fake = model.get();
  fake->HoldInRun(&entered, &release);
  Start(std::move(model), /*workers=*/1, /*messages_in_flight=*/4);

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  auto stream = stub_->LabelStream(&context);
  for (int m = 0; m < 3; ++m) ASSERT_TRUE(stream->Write(OneReport("r" + std::to_string(m), "mass")));
  entered.WaitForNotification();
  ASSERT_TRUE(observer_.WaitFor([](int64_t depth, int64_t) { return depth == 2; },
                                absl::Seconds(30)));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The batcher's clock passes the deadline too; then the worker is free to form a batch.
  clock_.Advance(absl::Now() - absl::UnixEpoch() + absl::Hours(1));
  release.Notify();

  // The two queued windows leave the queue unrun.
  ASSERT_TRUE(observer_.WaitFor([](int64_t, int64_t dropped) { return dropped == 2; },
                                absl::Seconds(30)));
  EXPECT_EQ(fake->batches().size(), 1u);
  ExpectNoCallLeft();
  EXPECT_NE(metrics_->Scrape(absl::Now())
                .find(R"(radlabel_reports_total{code="DEADLINE_EXCEEDED",rpc="LabelStream"} 2)"),
            std::string::npos);
}

TEST_F(LabellerServiceTest, AStreamCancelledMidwayDrainsEveryMessage) {
  Notification entered, release;
  auto model = std::make_unique<FakeModel>(testing::WordDetector);
  model->HoldInRun(&entered, &release);
  Start(std::move(model), /*workers=*/1, /*messages_in_flight=*/4);

  grpc::ClientContext context;
  auto stream = stub_->LabelStream(&context);
  for (int m = 0; m < 3; ++m) ASSERT_TRUE(stream->Write(OneReport("r" + std::to_string(m), "mass")));
  entered.WaitForNotification();
  ASSERT_TRUE(observer_.WaitFor([](int64_t depth, int64_t) { return depth == 2; },
                                absl::Seconds(30)));
  context.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  release.Notify();
  // Whether the queued windows ran or were dropped depends on when the server saw the cancel;
  // either way every message is answered and the reactor finishes.
  ExpectNoCallLeft();
  const std::string scrape = metrics_->Scrape(absl::Now());
  int reports = 0;
  for (const char* code : {"OK", "CANCELLED"}) {
    const std::string series =
        absl::StrCat(R"(radlabel_reports_total{code=")", code, R"(",rpc="LabelStream"} )");
    if (const size_t at = scrape.find(series); at != std::string::npos) {
      reports += std::stoi(scrape.substr(at + series.size()));
    }
  }
  EXPECT_EQ(reports, 3) << scrape;
}

TEST_F(LabellerServiceTest, AMessageThatIsNotALabelRequestIsAnsweredInvalidArgumentAndCounted) {
  Start(std::make_unique<FakeModel>(testing::WordDetector), /*workers=*/1,
        /*messages_in_flight=*/4);
  grpc::GenericStub generic(channel_);
  grpc::ClientContext unary_context;
  const grpc::ByteBuffer request = NotALabelRequest();
  grpc::ByteBuffer response;
  Notification answered;
  grpc::Status unary;
  generic.UnaryCall(&unary_context, "/radlabel.v1.Labeller/Label", grpc::StubOptions(), &request,
                    &response, [&](grpc::Status status) {
                      unary = std::move(status);
                      answered.Notify();
                    });
  answered.WaitForNotification();
  EXPECT_EQ(unary.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(unary.error_message().find("not a radlabel.v1.LabelRequest"), std::string::npos)
      << unary.error_message();

  // On a stream, the messages before it are answered; then the call ends the same way.
  grpc::ClientContext stream_context;
  grpc::CompletionQueue queue;
  auto stream = generic.PrepareCall(&stream_context, "/radlabel.v1.Labeller/LabelStream", &queue);
  stream->StartCall(reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  ASSERT_TRUE(queue.Next(&tag, &ok) && ok);
  grpc::ByteBuffer good;
  bool own = false;
  ASSERT_TRUE(grpc::SerializationTraits<v1::LabelRequest>::Serialize(OneReport("r0", "mass"),
                                                                       &good, &own)
                  .ok());
  stream->Write(good, reinterpret_cast<void*>(2));
  ASSERT_TRUE(queue.Next(&tag, &ok) && ok);
  stream->Write(request, reinterpret_cast<void*>(3));
  ASSERT_TRUE(queue.Next(&tag, &ok));
  grpc::ByteBuffer first;
  stream->Read(&first, reinterpret_cast<void*>(4));
  ASSERT_TRUE(queue.Next(&tag, &ok) && ok);
  v1::LabelResponse labelled;
  ASSERT_TRUE(grpc::SerializationTraits<v1::LabelResponse>::Deserialize(&first, &labelled).ok());
  EXPECT_EQ(labelled.results(0).id(), "r0");
  grpc::Status ended;
  stream->Finish(&ended, reinterpret_cast<void*>(5));
  ASSERT_TRUE(queue.Next(&tag, &ok));
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << ended.error_message();
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }

  ExpectNoCallLeft();
  const std::string scrape = metrics_->Scrape(absl::Now());
  for (const char* rpc : {"Label", "LabelStream"}) {
    EXPECT_NE(scrape.find(absl::StrCat(R"(radlabel_requests_total{code="INVALID_ARGUMENT",rpc=")",
                                       rpc, R"("} 1)")),
              std::string::npos)
        << rpc << "\n" << scrape;
  }
}

TEST_F(LabellerServiceTest, ACallWaitsReadingNothingUntilTheBudgetOfRequestBytesHasRoom) {
  Notification entered, release;
  auto model = std::make_unique<FakeModel>(testing::WordDetector);
  model->HoldInRun(&entered, &release);
  // Room for one message of the largest size at a time.
  Start(std::move(model), /*workers=*/1, /*messages_in_flight=*/4, /*request_bytes=*/4096);

  // A stream's first message sits in the model and holds its own size; its next read, and so
  // any other call's, needs room for 4096 bytes, which there is not.
  grpc::ClientContext stream_context;
  auto stream = stub_->LabelStream(&stream_context);
  ASSERT_TRUE(stream->Write(OneReport("held", "mass")));
  entered.WaitForNotification();
  EXPECT_GT(requests_->request_bytes().reserved(), 0);

  grpc::ClientContext late_context;
  late_context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  v1::LabelResponse late;
  EXPECT_EQ(stub_->Label(&late_context, OneReport("late", "mass"), &late).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);

  // Once the held message is answered its bytes come back, and a waiting call is read.
  grpc::ClientContext waiting_context;
  const v1::LabelRequest waiting_request = OneReport("waiting", "mass");
  v1::LabelResponse waiting;
  Notification answered;
  grpc::Status waited;
  stub_->async()->Label(&waiting_context, &waiting_request, &waiting, [&](grpc::Status status) {
                          waited = std::move(status);
                          answered.Notify();
                        });
  release.Notify();
  v1::LabelResponse first;
  ASSERT_TRUE(stream->Read(&first));
  EXPECT_EQ(first.results(0).id(), "held");
  ASSERT_TRUE(stream->WritesDone());
  EXPECT_FALSE(stream->Read(&first));
  EXPECT_TRUE(stream->Finish().ok());
  answered.WaitForNotification();
  EXPECT_TRUE(waited.ok()) << waited.error_message();
  EXPECT_EQ(waiting.results(0).id(), "waiting");

  ExpectNoCallLeft();
  EXPECT_EQ(requests_->request_bytes().reserved(), 0) << "every reservation given back";
  EXPECT_NE(metrics_->Scrape(absl::Now())
                .find(R"(radlabel_requests_total{code="DEADLINE_EXCEEDED",rpc="Label"} 1)"),
            std::string::npos);
}

}  // namespace
}  // namespace radlabel
