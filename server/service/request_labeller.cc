#include "service/request_labeller.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "batching/retry_after.h"
#include "service/convert.h"

namespace radlabel {
namespace {

// The code the caller saw. Past its deadline, or once the caller has gone, a call has ended
// DEADLINE_EXCEEDED or CANCELLED on the caller's side, whatever the server answers: that is
// what the metrics count, so that alerts on the error ratio see deadline failures.
absl::StatusCode CodeTheCallerSaw(const CallerState* caller, absl::Time now) {
  const std::optional<DropReason> gone = caller ? caller->Abandoned(now) : std::nullopt;
  if (!gone) return absl::StatusCode::kOk;
  return *gone == DropReason::kDeadline ? absl::StatusCode::kDeadlineExceeded
                                        : absl::StatusCode::kCancelled;
}

}  // namespace

RequestLabeller::RequestLabeller(Labeller& labeller, const ModelBundle& bundle,
                                 const BatcherOptions& batching, const ServiceOptions& options,
                                 Metrics& metrics, const BearerTokenCheck* token_check,
                                 CallLog* call_log)
    : labeller_(labeller),
      bundle_(bundle),
      options_(options),
      metrics_(metrics),
      token_check_(token_check),
      call_log_(call_log),
      model_info_(MakeModelInfo(bundle, batching, options, labeller.evidence_supported())),
      request_bytes_(options.max_request_bytes_in_flight) {}

absl::Status RequestLabeller::Authorize(Rpc rpc, absl::string_view authorization) {
  if (token_check_ == nullptr) return absl::OkStatus();
  absl::Status admitted = token_check_->Check(authorization);
  if (!admitted.ok()) RecordRefusal(rpc, admitted.code(), absl::Now());
  return admitted;
}

absl::Status RequestLabeller::Start(Rpc rpc, const v1::LabelRequest& request,
                                    v1::LabelResponse* response, std::function<void()> done,
                                    std::shared_ptr<const CallerState> caller) {
  const absl::Time received = absl::Now();
  absl::Status started =
      draining_.load() ? absl::UnavailableError("the server is shutting down; send this request's "
                                                "reports to another replica")
                       : CheckReportCount(request, options_);
  if (started.ok()) {
    std::vector<std::string> ids;  // `request` may be reused before the outcomes arrive
    ids.reserve(static_cast<size_t>(request.reports_size()));
    for (const v1::Report& report : request.reports()) ids.push_back(report.id());
    started = labeller_.Label(
        ReportRefsOf(request), LabelOptionsOf(request, options_, caller),
        [this, rpc, received, response, ids = std::move(ids), caller,
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
          const absl::Time finished = absl::Now();
          const absl::StatusCode code = CodeTheCallerSaw(caller.get(), finished);
          metrics_.RecordRequest(rpc, code, codes, received, finished);
          if (call_log_) call_log_->Answered(rpc, code, outcomes, ids, finished - received);
          done();
        });
  }
  if (!started.ok()) RecordRefusal(rpc, started.code(), received);
  return started;
}

absl::Status RequestLabeller::Refuse(Rpc rpc, absl::Status refusal) {
  RecordRefusal(rpc, refusal.code(), absl::Now());
  return refusal;
}

void RequestLabeller::RecordRefusal(Rpc rpc, absl::StatusCode code, absl::Time received) {
  metrics_.RecordRequest(rpc, code, {}, received, absl::Now());
  if (call_log_) call_log_->Refused(rpc, code);
}

absl::Duration RequestLabeller::RetryPushback(const absl::Status& refused) const {
  return std::max(options_.retry_pushback, RetryAfter(refused).value_or(absl::ZeroDuration()));
}

const v1::ModelInfo& RequestLabeller::DescribeModel(Rpc rpc) {
  const absl::Time now = absl::Now();
  metrics_.RecordRequest(rpc, absl::StatusCode::kOk, {}, now, now);
  if (call_log_) call_log_->Answered(rpc, absl::StatusCode::kOk, {}, {}, absl::ZeroDuration());
  return model_info_;
}

}  // namespace radlabel
