#include "service/labeller_service.h"

#include <chrono>
#include <deque>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "service/convert.h"
#include "service/grpc_status.h"

namespace radlabel {
namespace {

// The call's deadline and cancellation, for the batcher to drop work nobody waits for.
// IsCancelled is thread-safe and the context outlives the call's labelling (the call finishes
// only once every report is answered).
std::shared_ptr<const CallerState> CallerOf(grpc::CallbackServerContext* context) {
  auto caller = std::make_shared<CallerState>();
  if (context->deadline() != std::chrono::system_clock::time_point::max()) {
    caller->deadline = absl::FromChrono(context->deadline());
  }
  caller->cancelled = [context] { return context->IsCancelled(); };
  return caller;
}

// The call's "authorization" metadata; empty when none was sent.
absl::string_view AuthorizationOf(const grpc::CallbackServerContext& context) {
  const auto found = context.client_metadata().find("authorization");
  if (found == context.client_metadata().end()) return {};
  return absl::string_view(found->second.data(), found->second.size());
}

// One LabelStream call. Reads request messages while fewer than max_stream_messages_in_flight
// await their responses, and writes responses strictly in request order, one write at a time.
// Finishes once the client has stopped writing and every response is written (or dropped,
// when the client is gone); OnDone then deletes the reactor. Labelling callbacks never outlive
// it: Finish waits for every pending slot. Once the server drains, the first message read is
// answered UNAVAILABLE report by report, nothing more is read, and the call finishes
// UNAVAILABLE as soon as the messages before it are answered: the drain waits only for work
// already started, and the client knows that every report after the last answered one is to
// be sent elsewhere.
class LabelStreamReactor final : public grpc::ServerBidiReactor<v1::LabelRequest, v1::LabelResponse> {
 public:
  LabelStreamReactor(RequestLabeller& requests, grpc::CallbackServerContext* context)
      : requests_(requests), caller_(CallerOf(context)) {
    const absl::Status admitted =
        requests_.Authorize(Rpc::kLabelStream, AuthorizationOf(*context));
    if (!admitted.ok()) {
      {
        absl::MutexLock lock(&mu_);
        finished_ = true;
      }
      Finish(ToGrpcStatus(admitted));
      return;
    }
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed, or the call is over
      Continue([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { reads_done_ = true; });
      return;
    }
    auto slot = std::make_shared<Slot>();
    {
      absl::MutexLock lock(&mu_);
      pending_.push_back(slot);
    }
    const absl::Status started =
        requests_.Start(Rpc::kLabelStream, request_, &slot->response, [this, slot] {
      Continue([slot] { slot->ready = true; });
    }, caller_);
    Continue([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      if (!started.ok()) {
        // The stream goes on; the client sees why each report of this message failed.
        FailEveryReport(request_, started, &slot->response);
        slot->ready = true;
      }
      if (started.code() == absl::StatusCode::kUnavailable && requests_.draining()) {
        reads_done_ = true;
        finish_status_ = ToGrpcStatus(started);
        return;
      }
      if (static_cast<int>(pending_.size()) < requests_.options().max_stream_messages_in_flight) {
        StartRead(&request_);
      } else {
        read_paused_ = true;
      }
    });
  }

  void OnWriteDone(bool ok) override {
    Continue([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      writing_ = false;
      pending_.pop_front();
      if (!ok) client_gone_ = true;
      if (read_paused_ && !reads_done_ &&
          static_cast<int>(pending_.size()) < requests_.options().max_stream_messages_in_flight) {
        read_paused_ = false;
        StartRead(&request_);
      }
    });
  }

  void OnDone() override { delete this; }

 private:
  struct Slot {
    v1::LabelResponse response;
    bool ready = false;
  };

  // Applies `update` under the lock, then writes the next ready response or, when nothing is
  // left to do, finishes the call. Finish is called after unlocking: OnDone may run at once on
  // another thread and delete this reactor.
  template <typename Update>
  void Continue(Update update) ABSL_LOCKS_EXCLUDED(mu_) {
    bool finish = false;
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      update();
      if (client_gone_) {
        while (!writing_ && !pending_.empty() && pending_.front()->ready) pending_.pop_front();
      }
      if (!writing_ && !pending_.empty() && pending_.front()->ready) {
        writing_ = true;
        StartWrite(&pending_.front()->response);
      } else if (reads_done_ && pending_.empty() && !writing_ && !finished_) {
        finished_ = finish = true;
        status = finish_status_;
      }
    }
    if (finish) Finish(status);
  }

  RequestLabeller& requests_;
  const std::shared_ptr<const CallerState> caller_;
  v1::LabelRequest request_;  // the read buffer; reused once StartLabelling has returned
  absl::Mutex mu_;
  std::deque<std::shared_ptr<Slot>> pending_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool client_gone_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status finish_status_ ABSL_GUARDED_BY(mu_) = grpc::Status::OK;
};

}  // namespace

grpc::ServerUnaryReactor* LabellerService::Label(grpc::CallbackServerContext* context,
                                                 const v1::LabelRequest* request,
                                                 v1::LabelResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (const absl::Status admitted = requests_.Authorize(Rpc::kLabel, AuthorizationOf(*context));
      !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  const absl::Status started =
      requests_.Start(Rpc::kLabel, *request, response,
                      [reactor] { reactor->Finish(grpc::Status::OK); }, CallerOf(context));
  if (!started.ok()) {
    if (started.code() == absl::StatusCode::kResourceExhausted) {
      const absl::Duration pushback = requests_.RetryPushback(started);
      context->AddTrailingMetadata(
          "grpc-retry-pushback-ms",
          std::to_string(absl::ToInt64Milliseconds(absl::Ceil(pushback, absl::Milliseconds(1)))));
    }
    reactor->Finish(ToGrpcStatus(started));
  }
  return reactor;
}

grpc::ServerBidiReactor<v1::LabelRequest, v1::LabelResponse>* LabellerService::LabelStream(
    grpc::CallbackServerContext* context) {
  return new LabelStreamReactor(requests_, context);
}

grpc::ServerUnaryReactor* LabellerService::GetModelInfo(grpc::CallbackServerContext* context,
                                                        const v1::GetModelInfoRequest* /*request*/,
                                                        v1::ModelInfo* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (const absl::Status admitted =
          requests_.Authorize(Rpc::kGetModelInfo, AuthorizationOf(*context));
      !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  *response = requests_.DescribeModel(Rpc::kGetModelInfo);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace radlabel
