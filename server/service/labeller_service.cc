#include "service/labeller_service.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "service/convert.h"
#include "service/grpc_status.h"

namespace radlabel {
namespace {

constexpr absl::string_view kLabelMethod = "/radlabel.v1.Labeller/Label";

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

// Why a call that is over before its message was read ended: its deadline passed, or its
// caller cancelled it.
absl::Status EndedByCaller(const grpc::CallbackServerContext& context) {
  if (absl::FromChrono(context.deadline()) <= absl::Now()) {
    return absl::DeadlineExceededError("the call's deadline passed before its message was read");
  }
  return absl::CancelledError("the caller cancelled the call before its message was read");
}

// The call's "authorization" metadata; empty when none was sent.
absl::string_view AuthorizationOf(const grpc::CallbackServerContext& context) {
  const auto found = context.client_metadata().find("authorization");
  if (found == context.client_metadata().end()) return {};
  return absl::string_view(found->second.data(), found->second.size());
}

// Parses a request message read as bytes (and empties `message`).
absl::Status ParseRequest(grpc::ByteBuffer* message, v1::LabelRequest* request) {
  const size_t bytes = message->Length();
  if (grpc::SerializationTraits<v1::LabelRequest>::Deserialize(message, request).ok()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "the message (", bytes, " bytes) is not a radlabel.v1.LabelRequest; build it with the "
      "code generated from radlabel/v1/labeller.proto"));
}

grpc::ByteBuffer SerializeResponse(const v1::LabelResponse& response) {
  grpc::ByteBuffer message;
  bool own_buffer = false;
  // Serializing a message this process built fails only when it exceeds 2 GiB, which a
  // response of at most max_reports_per_request results cannot.
  grpc::SerializationTraits<v1::LabelResponse>::Serialize(response, &message, &own_buffer)
      .IgnoreError();
  return message;
}

// One Label call. Checks the token, waits until the budget has room for a message of the
// largest size, reads the message, keeps only its own size reserved, labels it and answers.
// The reservation is given back when the call is done.
class LabelReactor final : public grpc::ServerGenericBidiReactor {
 public:
  LabelReactor(RequestLabeller& requests, RequestBytesBudget& budget,
               grpc::GenericCallbackServerContext* context)
      : requests_(requests), budget_(budget), context_(context) {
    if (const absl::Status admitted =
            requests_.Authorize(Rpc::kLabel, AuthorizationOf(*context));
        !admitted.ok()) {
      Finish(ToGrpcStatus(admitted));
      return;
    }
    absl::MutexLock lock(&mu_);
    ticket_ = budget_.Reserve(MessageBytes(), [this] {
      absl::MutexLock lock(&mu_);
      ReadReserved();
    });
    if (!ticket_) ReadReserved();
  }

  void OnCancel() override {
    std::optional<RequestBytesBudget::Ticket> waiting;
    {
      absl::MutexLock lock(&mu_);
      if (reserved_ == 0) waiting = ticket_;
    }
    // Withdrawn: the read never starts, so nothing else will finish the call.
    if (waiting && budget_.Withdraw(*waiting)) {
      Finish(ToGrpcStatus(requests_.Refuse(Rpc::kLabel, EndedByCaller(*context_))));
    }
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(ToGrpcStatus(requests_.Refuse(
          Rpc::kLabel, context_->IsCancelled()
                           ? EndedByCaller(*context_)
                           : absl::InvalidArgumentError(
                                 "the Label call ended without its LabelRequest message; send "
                                 "exactly one"))));
      return;
    }
    const int64_t bytes = static_cast<int64_t>(message_.Length());
    if (const absl::Status parsed = ParseRequest(&message_, &request_); !parsed.ok()) {
      Finish(ToGrpcStatus(requests_.Refuse(Rpc::kLabel, parsed)));
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      budget_.Release(reserved_ - bytes);
      reserved_ = bytes;
    }
    const absl::Status started = requests_.Start(
        Rpc::kLabel, request_, &response_,
        [this] {
          answer_ = SerializeResponse(response_);
          StartWriteAndFinish(&answer_, grpc::WriteOptions(), grpc::Status::OK);
        },
        CallerOf(context_));
    if (!started.ok()) {
      if (started.code() == absl::StatusCode::kResourceExhausted) {
        const absl::Duration pushback = requests_.RetryPushback(started);
        context_->AddTrailingMetadata(
            "grpc-retry-pushback-ms",
            std::to_string(
                absl::ToInt64Milliseconds(absl::Ceil(pushback, absl::Milliseconds(1)))));
      }
      Finish(ToGrpcStatus(started));
    }
  }

  void OnDone() override {
    int64_t reserved;
    {
      absl::MutexLock lock(&mu_);
      reserved = reserved_;
    }
    if (reserved > 0) budget_.Release(reserved);
    delete this;
  }

 private:
  int64_t MessageBytes() const { return requests_.options().max_message_bytes; }

  void ReadReserved() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    reserved_ = MessageBytes();
    StartRead(&message_);
  }

  RequestLabeller& requests_;
  RequestBytesBudget& budget_;
  grpc::GenericCallbackServerContext* const context_;
  grpc::ByteBuffer message_;
  v1::LabelRequest request_;
  v1::LabelResponse response_;
  grpc::ByteBuffer answer_;
  absl::Mutex mu_;
  std::optional<RequestBytesBudget::Ticket> ticket_ ABSL_GUARDED_BY(mu_);
  int64_t reserved_ ABSL_GUARDED_BY(mu_) = 0;  // 0 until the budget had room
};

// A call to a method this server does not have.
class UnknownMethodReactor final : public grpc::ServerGenericBidiReactor {
 public:
  explicit UnknownMethodReactor(const std::string& method) {
    Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        absl::StrCat("this server has no method ", method,
                                     "; radlabel.v1.Labeller serves Label, LabelStream and "
                                     "GetModelInfo")));
  }
  void OnDone() override { delete this; }
};

// One LabelStream call. Reads request messages while fewer than max_stream_messages_in_flight
// await their responses and the budget has room for a message of the largest size, and writes
// responses strictly in request order, one write at a time; each message's size stays reserved
// until its response is written (or dropped). Finishes once the client has stopped writing and
// every response is written (or dropped, when the client is gone); OnDone then deletes the
// reactor. Labelling callbacks never outlive it: Finish waits for every pending slot. Once the
// server drains, the first message read is answered UNAVAILABLE report by report, nothing more
// is read, and the call finishes UNAVAILABLE as soon as the messages before it are answered:
// the drain waits only for work already started, and the client knows that every report after
// the last answered one is to be sent elsewhere. A message that is not a LabelRequest ends the
// call INVALID_ARGUMENT once the messages before it are answered.
class LabelStreamReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  LabelStreamReactor(RequestLabeller& requests, RequestBytesBudget& budget,
                     grpc::CallbackServerContext* context)
      : requests_(requests), budget_(budget), caller_(CallerOf(context)) {
    const absl::Status admitted =
        requests_.Authorize(Rpc::kLabelStream, AuthorizationOf(*context));
    if (!admitted.ok()) {
      {
        absl::MutexLock lock(&mu_);
        finished_ = true;
      }
      Finish(ToGrpcStatus(admitted));  // unlocked: OnDone may delete the reactor at once
      return;
    }
    absl::MutexLock lock(&mu_);
    RequestRead();
  }

  void OnCancel() override {
    std::optional<RequestBytesBudget::Ticket> waiting;
    {
      absl::MutexLock lock(&mu_);
      waiting = waiting_for_budget_;
    }
    if (waiting && budget_.Withdraw(*waiting)) {
      Continue([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        waiting_for_budget_.reset();
        reads_done_ = true;
      });
    }
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed, or the call is over
      Continue([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        reads_done_ = true;
        GiveBack(std::exchange(read_reserved_, 0));
      });
      return;
    }
    const int64_t bytes = static_cast<int64_t>(message_.Length());
    if (const absl::Status parsed = ParseRequest(&message_, &request_); !parsed.ok()) {
      const grpc::Status refused = ToGrpcStatus(requests_.Refuse(Rpc::kLabelStream, parsed));
      Continue([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        reads_done_ = true;
        finish_status_ = refused;
        GiveBack(std::exchange(read_reserved_, 0));
      });
      return;
    }
    auto slot = std::make_shared<Slot>();
    slot->reserved = bytes;
    {
      absl::MutexLock lock(&mu_);
      pending_.push_back(slot);
      GiveBack(std::exchange(read_reserved_, 0) - bytes);
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
        RequestRead();
      } else {
        read_paused_ = true;
      }
    });
  }

  void OnWriteDone(bool ok) override {
    Continue([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      writing_ = false;
      Drop();
      if (!ok) client_gone_ = true;
      if (read_paused_ && !reads_done_ &&
          static_cast<int>(pending_.size()) < requests_.options().max_stream_messages_in_flight) {
        read_paused_ = false;
        RequestRead();
      }
    });
  }

  void OnDone() override { delete this; }

 private:
  struct Slot {
    v1::LabelResponse response;
    grpc::ByteBuffer message;  // the response as written
    int64_t reserved = 0;      // the request's size, given back once the response is gone
    bool ready = false;
  };

  // Reads the next message once the budget has room for one of the largest size.
  void RequestRead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const int64_t bytes = requests_.options().max_message_bytes;
    waiting_for_budget_ = budget_.Reserve(bytes, [this, bytes] {
      absl::MutexLock lock(&mu_);
      waiting_for_budget_.reset();
      read_reserved_ = bytes;
      StartRead(&message_);
    });
    if (!waiting_for_budget_) {
      read_reserved_ = bytes;
      StartRead(&message_);
    }
  }

  // Gives `bytes` back to the budget once the lock is released (a release may grant a waiting
  // read, which takes its reactor's lock).
  void GiveBack(int64_t bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { to_give_back_ += bytes; }

  // The front response is written or dropped: its request's bytes go back.
  void Drop() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    GiveBack(pending_.front()->reserved);
    pending_.pop_front();
  }

  // Applies `update` under the lock, then writes the next ready response or, when nothing is
  // left to do, finishes the call. The budget and Finish are called after unlocking: OnDone may
  // run at once on another thread and delete this reactor.
  template <typename Update>
  void Continue(Update update) ABSL_LOCKS_EXCLUDED(mu_) {
    bool finish = false;
    grpc::Status status;
    int64_t give_back;
    {
      absl::MutexLock lock(&mu_);
      update();
      if (client_gone_) {
        while (!writing_ && !pending_.empty() && pending_.front()->ready) Drop();
      }
      if (!writing_ && !pending_.empty() && pending_.front()->ready) {
        writing_ = true;
        pending_.front()->message = SerializeResponse(pending_.front()->response);
        StartWrite(&pending_.front()->message);
      } else if (reads_done_ && pending_.empty() && !writing_ && !finished_ &&
                 !waiting_for_budget_) {
        finished_ = finish = true;
        status = finish_status_;
      }
      give_back = std::exchange(to_give_back_, 0);
    }
    if (give_back > 0) budget_.Release(give_back);
    if (finish) Finish(status);
  }

  RequestLabeller& requests_;
  RequestBytesBudget& budget_;
  const std::shared_ptr<const CallerState> caller_;
  grpc::ByteBuffer message_;   // the read buffer
  v1::LabelRequest request_;   // parsed from it; reused once Start has returned
  absl::Mutex mu_;
  std::deque<std::shared_ptr<Slot>> pending_ ABSL_GUARDED_BY(mu_);
  std::optional<RequestBytesBudget::Ticket> waiting_for_budget_ ABSL_GUARDED_BY(mu_);
  int64_t read_reserved_ ABSL_GUARDED_BY(mu_) = 0;  // held for the read in progress
  int64_t to_give_back_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool client_gone_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status finish_status_ ABSL_GUARDED_BY(mu_) = grpc::Status::OK;
};

}  // namespace

LabellerService::LabellerService(RequestLabeller& requests)
    : requests_(requests), label_method_(*this) {}

grpc::ServerGenericBidiReactor* LabellerService::LabelMethod::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  if (context->method() != kLabelMethod) return new UnknownMethodReactor(context->method());
  return new LabelReactor(service_.requests_, service_.requests_.request_bytes(), context);
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* LabellerService::LabelStream(
    grpc::CallbackServerContext* context) {
  return new LabelStreamReactor(requests_, requests_.request_bytes(), context);
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
