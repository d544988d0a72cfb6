// Every metric radlabel-server exports, declared in this one place (prometheus-cpp). Names
// follow Prometheus conventions: prefix radlabel_, base units (_seconds), counters end in
// _total, histograms have explicit buckets, failures carry a reason or code label.
//
//   radlabel_requests_total{rpc,code}           unary calls, stream messages and HTTP requests,
//                                               by outcome
//   radlabel_reports_total{rpc,code}            reports, by their own status (not those of
//                                               requests refused whole: see rejections)
//   radlabel_rejections_total{reason}           requests refused whole: queue_full,
//                                               shutting_down, invalid_request, unauthenticated
//   radlabel_request_duration_seconds{rpc}      receipt to response, per request (histogram)
//   radlabel_queue_wait_seconds                 per window, queue to batch start (histogram)
//   radlabel_inference_duration_seconds         per model call (histogram)
//   radlabel_batch_size_windows                 windows per model call (histogram)
//   radlabel_batch_tokens                       padded tokens per model call (histogram)
//   radlabel_batch_padding_ratio                padding share of a batch's tokens (histogram)
//   radlabel_model_failures_total               model calls that returned an error
//   radlabel_windows_dropped_total{reason}      windows never run: deadline, cancelled
//   radlabel_queue_windows                      windows waiting now (gauge)
//   radlabel_model_info{name,version,checksum}  1 (info)
//   radlabel_throughput_reports_per_second      reports labelled per second, last 60 s
//   radlabel_target_throughput_reports_per_second   100000 / 1800
//   radlabel_projected_seconds_per_100k_reports time for 100,000 reports at the current rate
//
// and, from metrics/process_metrics.h, process_* (CPU, memory, file descriptors, start time)
// and radlabel_build_info.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "batching/batcher_observer.h"
#include "metrics/process_metrics.h"
#include "metrics/throughput_window.h"
#include "model/bundle.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace radlabel {

// What a request came through: the gRPC methods, and the HTTP routes POST /v1/label and
// GET /v1/model. The metrics' `rpc` label is the name after the k.
enum class Rpc { kLabel, kLabelStream, kGetModelInfo, kHttpLabel, kHttpGetModelInfo };
inline constexpr std::array<Rpc, 5> kRpcs = {Rpc::kLabel, Rpc::kLabelStream, Rpc::kGetModelInfo,
                                             Rpc::kHttpLabel, Rpc::kHttpGetModelInfo};
// "Label", "LabelStream", ...: the name after the k.
const char* RpcName(Rpc rpc);

class Metrics final : public BatcherObserver {
 public:
  explicit Metrics(const ModelBundle& bundle);

  // A request (unary call or stream message) that was answered; `report_codes` holds each
  // report's status code, empty when the request was refused whole.
  void RecordRequest(Rpc rpc, absl::StatusCode code, const std::vector<absl::StatusCode>& report_codes,
                     absl::Time received, absl::Time answered);

  void OnBatch(const BatchStats& stats) override;
  void OnQueueDepth(int64_t windows) override;
  void OnDropped(DropReason reason, int64_t windows) override;

  // The Prometheus text exposition of every metric, with the throughput gauges brought up to
  // `now`.
  std::string Scrape(absl::Time now);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& reports_;
  prometheus::Family<prometheus::Counter>& rejections_;
  prometheus::Family<prometheus::Histogram>& request_duration_;
  std::array<prometheus::Histogram*, kRpcs.size()> request_duration_by_rpc_;  // indexed by Rpc
  prometheus::Histogram& queue_wait_;
  prometheus::Histogram& inference_duration_;
  prometheus::Histogram& batch_size_;
  prometheus::Histogram& batch_tokens_;
  prometheus::Histogram& batch_padding_;
  prometheus::Counter& model_failures_;
  prometheus::Family<prometheus::Counter>& dropped_;
  prometheus::Gauge& queue_windows_;
  prometheus::Gauge& throughput_;
  prometheus::Gauge& projected_seconds_;
  ThroughputWindow window_;
  const ProcessMetrics process_;
};

}  // namespace radlabel
