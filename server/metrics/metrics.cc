#include "metrics/metrics.h"

#include <limits>

#include "absl/container/flat_hash_map.h"
#include "prometheus/text_serializer.h"

namespace radlabel {
namespace {

constexpr double kTargetReportsPerSecond = 100000.0 / 1800.0;

// gRPC's canonical code names (OK, INVALID_ARGUMENT, ...), as Prometheus label values.
std::string CodeName(absl::StatusCode code) { return absl::StatusCodeToString(code); }

const char* RejectionReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kResourceExhausted: return "queue_full";
    case absl::StatusCode::kUnavailable: return "shutting_down";
    case absl::StatusCode::kInvalidArgument: return "invalid_request";
    case absl::StatusCode::kUnauthenticated: return "unauthenticated";
    default: return "other";
  }
}

const char* DropReasonName(DropReason reason) {
  return reason == DropReason::kDeadline ? "deadline" : "cancelled";
}

// Seconds: 0.5 ms to 60 s, roughly x2.5 per step.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace

const char* RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kLabel: return "Label";
    case Rpc::kLabelStream: return "LabelStream";
    case Rpc::kGetModelInfo: return "GetModelInfo";
    case Rpc::kHttpLabel: return "HttpLabel";
    case Rpc::kHttpGetModelInfo: return "HttpGetModelInfo";
  }
  return "unknown";
}

Metrics::Metrics(const ModelBundle& bundle)
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("radlabel_requests_total")
                    .Help("Unary calls and stream messages answered, by RPC and gRPC code.")
                    .Register(*registry_)),
      reports_(prometheus::BuildCounter()
                   .Name("radlabel_reports_total")
                   .Help("Reports answered, by RPC and the report's own status code.")
                   .Register(*registry_)),
      rejections_(prometheus::BuildCounter()
                      .Name("radlabel_rejections_total")
                      .Help("Requests refused whole, by reason (queue_full, shutting_down, "
                            "invalid_request).")
                      .Register(*registry_)),
      request_duration_(prometheus::BuildHistogram()
                            .Name("radlabel_request_duration_seconds")
                            .Help("Time from receiving a request to its response being ready.")
                            .Register(*registry_)),
      queue_wait_(prometheus::BuildHistogram()
                      .Name("radlabel_queue_wait_seconds")
                      .Help("Time a window waited in the queue before its batch started.")
                      .Register(*registry_)
                      .Add({}, LatencyBuckets())),
      inference_duration_(prometheus::BuildHistogram()
                              .Name("radlabel_inference_duration_seconds")
                              .Help("Duration of one model call (one batch).")
                              .Register(*registry_)
                              .Add({}, LatencyBuckets())),
      batch_size_(prometheus::BuildHistogram()
                      .Name("radlabel_batch_size_windows")
                      .Help("Windows (rows) per model call.")
                      .Register(*registry_)
                      .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128,
                                                                       256, 512})),
      batch_tokens_(prometheus::BuildHistogram()
                        .Name("radlabel_batch_tokens")
                        .Help("Padded tokens (rows x longest row) per model call.")
                        .Register(*registry_)
                        .Add({}, prometheus::Histogram::BucketBoundaries{
                                     64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768})),
      batch_padding_(prometheus::BuildHistogram()
                         .Name("radlabel_batch_padding_ratio")
                         .Help("Share of a batch's padded tokens that are padding (0 to 1).")
                         .Register(*registry_)
                         .Add({}, prometheus::Histogram::BucketBoundaries{
                                      0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75})),
      model_failures_(prometheus::BuildCounter()
                          .Name("radlabel_model_failures_total")
                          .Help("Model calls that returned an error; their reports fail with "
                                "INTERNAL.")
                          .Register(*registry_)
                          .Add({})),
      dropped_(prometheus::BuildCounter()
                   .Name("radlabel_windows_dropped_total")
                   .Help("Windows taken out of the queue without running the model: their "
                         "caller's deadline passed (reason deadline) or it cancelled or "
                         "disconnected (reason cancelled).")
                   .Register(*registry_)),
      queue_windows_(prometheus::BuildGauge()
                         .Name("radlabel_queue_windows")
                         .Help("Windows waiting in the batcher's queue.")
                         .Register(*registry_)
                         .Add({})),
      throughput_(prometheus::BuildGauge()
                      .Name("radlabel_throughput_reports_per_second")
                      .Help("Reports labelled per second over the last 60 seconds.")
                      .Register(*registry_)
                      .Add({})),
      projected_seconds_(prometheus::BuildGauge()
                             .Name("radlabel_projected_seconds_per_100k_reports")
                             .Help("Seconds 100,000 reports would take at the current throughput "
                                   "(+Inf when idle); the target is 1800.")
                             .Register(*registry_)
                             .Add({})) {
  prometheus::BuildGauge()
      .Name("radlabel_model_info")
      .Help("The served model bundle; always 1.")
      .Register(*registry_)
      .Add({{"name", bundle.config.name()},
            {"version", bundle.config.version()},
            {"checksum", bundle.checksum}})
      .Set(1);
  prometheus::BuildGauge()
      .Name("radlabel_target_throughput_reports_per_second")
      .Help("The study's target: 100,000 reports in 30 minutes.")
      .Register(*registry_)
      .Add({})
      .Set(kTargetReportsPerSecond);
  projected_seconds_.Set(std::numeric_limits<double>::infinity());
  for (Rpc rpc : kRpcs) {
    request_duration_by_rpc_[static_cast<size_t>(rpc)] =
        &request_duration_.Add({{"rpc", RpcName(rpc)}}, LatencyBuckets());
  }
  // The usual series exist from the start, at 0: a series that first appears at a non-zero
  // value loses that first step to rate(), and a family with no series is absent from
  // /metrics, so dashboards and alerts would show "no data" instead of 0.
  const std::string ok = CodeName(absl::StatusCode::kOk);
  for (Rpc rpc : kRpcs) {
    requests_.Add({{"rpc", RpcName(rpc)}, {"code", ok}});
    if (rpc != Rpc::kGetModelInfo && rpc != Rpc::kHttpGetModelInfo) reports_.Add({{"rpc", RpcName(rpc)}, {"code", ok}});
  }
  for (absl::StatusCode code : {absl::StatusCode::kResourceExhausted, absl::StatusCode::kUnavailable,
                                absl::StatusCode::kInvalidArgument, absl::StatusCode::kUnauthenticated}) {
    rejections_.Add({{"reason", RejectionReason(code)}});
  }
  for (DropReason reason : {DropReason::kDeadline, DropReason::kCancelled}) {
    dropped_.Add({{"reason", DropReasonName(reason)}});
  }
}

void Metrics::RecordRequest(Rpc rpc, absl::StatusCode code,
                            const std::vector<absl::StatusCode>& report_codes,
                            absl::Time received, absl::Time answered) {
  const std::string rpc_name = RpcName(rpc);
  requests_.Add({{"rpc", rpc_name}, {"code", CodeName(code)}}).Increment();
  request_duration_by_rpc_[static_cast<size_t>(rpc)]->Observe(
      absl::ToDoubleSeconds(answered - received));
  if (code != absl::StatusCode::kOk && report_codes.empty()) {  // refused whole
    rejections_.Add({{"reason", RejectionReason(code)}}).Increment();
  }
  absl::flat_hash_map<absl::StatusCode, int> counts;
  for (absl::StatusCode c : report_codes) ++counts[c];
  for (const auto& [c, n] : counts) {
    reports_.Add({{"rpc", rpc_name}, {"code", CodeName(c)}}).Increment(n);
  }
  const auto ok = counts.find(absl::StatusCode::kOk);
  if (ok != counts.end()) window_.Add(ok->second, answered);
}

void Metrics::OnBatch(const BatchStats& stats) {
  inference_duration_.Observe(absl::ToDoubleSeconds(stats.inference));
  batch_size_.Observe(stats.rows);
  const double padded = static_cast<double>(stats.rows) * stats.seq_len;
  batch_tokens_.Observe(padded);
  batch_padding_.Observe(padded > 0 ? 1.0 - static_cast<double>(stats.real_tokens) / padded : 0);
  for (absl::Duration wait : stats.queue_waits) queue_wait_.Observe(absl::ToDoubleSeconds(wait));
  if (stats.failed) model_failures_.Increment();
}

void Metrics::OnQueueDepth(int64_t windows) { queue_windows_.Set(static_cast<double>(windows)); }

void Metrics::OnDropped(DropReason reason, int64_t windows) {
  dropped_.Add({{"reason", DropReasonName(reason)}})
      .Increment(static_cast<double>(windows));
}

std::string Metrics::Scrape(absl::Time now) {
  const double rate = window_.Rate(now);
  throughput_.Set(rate);
  projected_seconds_.Set(rate > 0 ? 100000.0 / rate : std::numeric_limits<double>::infinity());
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (prometheus::MetricFamily& family : process_.Collect()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace radlabel
