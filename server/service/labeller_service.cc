#include "service/labeller_service.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "batching/retry_after.h"
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

// One LabelStream call. Reads request messages while fewer than max_stream_messages_in_flight
// await their responses, and writes responses strictly in request order, one write at a time.
// Finishes once the client has stopped writing and every response is written (or dropped,
// when the client is gone); OnDone then deletes the reactor. Labelling callbacks never outlive
// it: Finish waits for every pending slot.
class LabelStreamReactor final : public grpc::ServerBidiReactor<v1::LabelRequest, v1::LabelResponse> {
 public:
  LabelStreamReactor(LabellerService& service, grpc::CallbackServerContext* context)
      : service_(service), caller_(CallerOf(context)) {
    const absl::Status admitted = service_.Admit(Rpc::kLabelStream, *context);
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
        service_.StartLabelling(Rpc::kLabelStream, request_, &slot->response, [this, slot] {
      Continue([slot] { slot->ready = true; });
    }, caller_);
    Continue([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      if (!started.ok()) {
        // The stream goes on; the client sees why each report of this message failed.
        FailEveryReport(request_, started, &slot->response);
        slot->ready = true;
      }
      if (static_cast<int>(pending_.size()) < service_.options().max_stream_messages_in_flight) {
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
          static_cast<int>(pending_.size()) < service_.options().max_stream_messages_in_flight) {
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
      }
    }
    if (finish) Finish(grpc::Status::OK);
  }

  LabellerService& service_;
  const std::shared_ptr<const CallerState> caller_;
  v1::LabelRequest request_;  // the read buffer; reused once StartLabelling has returned
  absl::Mutex mu_;
  std::deque<std::shared_ptr<Slot>> pending_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool client_gone_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

LabellerService::LabellerService(Labeller& labeller, const ModelBundle& bundle,
                                 const BatcherOptions& batching, const ServiceOptions& options,
                                 Metrics& metrics, const BearerTokenCheck* token_check)
    : labeller_(labeller),
      bundle_(bundle),
      options_(options),
      metrics_(metrics),
      token_check_(token_check),
      model_info_(MakeModelInfo(bundle, batching, options, labeller.evidence_supported())) {}

absl::Status LabellerService::StartLabelling(Rpc rpc, const v1::LabelRequest& request,
                                             v1::LabelResponse* response,
                                             std::function<void()> done,
                                             std::shared_ptr<const CallerState> caller) {
  const absl::Time received = absl::Now();
  absl::Status started = CheckReportCount(request, options_);
  if (started.ok()) {
    std::vector<std::string> ids;  // `request` may be reused before the outcomes arrive
    ids.reserve(static_cast<size_t>(request.reports_size()));
    for (const v1::Report& report : request.reports()) ids.push_back(report.id());
    started = labeller_.Label(
        ReportRefsOf(request), LabelOptionsOf(request, options_, std::move(caller)),
        [this, rpc, received, response, ids = std::move(ids),
         done = std::move(done)](std::vector<ReportOutcome> outcomes) {
          response->clear_results();
          response->mutable_results()->Reserve(static_cast<int>(outcomes.size()));
          std::vector<absl::StatusCode> codes;
          codes.reserve(outcomes.size());
          for (size_t r = 0; r < outcomes.size(); ++r) {
            v1::ReportResult* result = response->add_results();
            result->set_id(ids[r]);
            FillResult(outcomes[r], bundle_, result);
            codes.push_back(outcomes[r].status.code());
          }
          metrics_.RecordRequest(rpc, absl::StatusCode::kOk, codes, received, absl::Now());
          done();
        });
  }
  if (!started.ok()) metrics_.RecordRequest(rpc, started.code(), {}, received, absl::Now());
  return started;
}

absl::Status LabellerService::Admit(Rpc rpc, const grpc::CallbackServerContext& context) {
  if (token_check_ == nullptr) return absl::OkStatus();
  absl::Status admitted = token_check_->Check(context);
  if (!admitted.ok()) {
    const absl::Time now = absl::Now();
    metrics_.RecordRequest(rpc, admitted.code(), {}, now, now);
  }
  return admitted;
}

grpc::ServerUnaryReactor* LabellerService::Label(grpc::CallbackServerContext* context,
                                                 const v1::LabelRequest* request,
                                                 v1::LabelResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (const absl::Status admitted = Admit(Rpc::kLabel, *context); !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  const absl::Status started =
      StartLabelling(Rpc::kLabel, *request, response,
                     [reactor] { reactor->Finish(grpc::Status::OK); }, CallerOf(context));
  if (!started.ok()) {
    if (started.code() == absl::StatusCode::kResourceExhausted) {
      const absl::Duration pushback =
          std::max(options_.retry_pushback, RetryAfter(started).value_or(absl::ZeroDuration()));
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
  return new LabelStreamReactor(*this, context);
}

grpc::ServerUnaryReactor* LabellerService::GetModelInfo(grpc::CallbackServerContext* context,
                                                        const v1::GetModelInfoRequest* /*request*/,
                                                        v1::ModelInfo* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (const absl::Status admitted = Admit(Rpc::kGetModelInfo, *context); !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  *response = model_info_;
  const absl::Time now = absl::Now();
  metrics_.RecordRequest(Rpc::kGetModelInfo, absl::StatusCode::kOk, {}, now, now);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace radlabel
