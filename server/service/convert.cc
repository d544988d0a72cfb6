#include "service/convert.h"

#include "absl/strings/str_cat.h"

namespace radlabel {
namespace {

void SetStatus(const absl::Status& status, v1::ReportResult* result) {
  result->mutable_status()->set_code(static_cast<int32_t>(status.code()));
  result->mutable_status()->set_message(std::string(status.message()));
}

}  // namespace

absl::Status CheckReportCount(const v1::LabelRequest& request, const ServiceOptions& options) {
  const int n = request.reports_size();
  if (n >= 1 && n <= options.max_reports_per_request) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("the request holds ", n, " reports; send 1 to ",
                   options.max_reports_per_request, " per request (split larger batches)"));
}

std::vector<ReportRef> ReportRefsOf(const v1::LabelRequest& request) {
  std::vector<ReportRef> refs;
  refs.reserve(static_cast<size_t>(request.reports_size()));
  for (const v1::Report& report : request.reports()) {
    refs.push_back(ReportRef{report.id(), report.text()});
  }
  return refs;
}

LabelOptions LabelOptionsOf(const v1::LabelRequest& request, const ServiceOptions& options,
                            std::shared_ptr<const CallerState> caller) {
  LabelOptions label_options;
  label_options.evidence = request.include_evidence();
  label_options.caller = std::move(caller);
  label_options.max_report_bytes = static_cast<size_t>(options.max_report_bytes);
  return label_options;
}

void FillResult(const ReportOutcome& outcome, const ModelBundle& bundle, v1::ReportResult* result) {
  SetStatus(outcome.status, result);
  result->set_num_tokens(outcome.num_tokens);
  result->set_num_chunks(outcome.num_windows);
  if (!outcome.status.ok()) return;
  const int num_classes = bundle.num_classes();
  for (int l = 0; l < bundle.num_labels(); ++l) {
    const auto label_index = static_cast<size_t>(l);
    v1::LabelResult* label = result->add_labels();
    label->set_name(bundle.config.labels(l).name());
    const auto first = outcome.probabilities.begin() + l * num_classes;
    label->mutable_probabilities()->Add(first, first + num_classes);
    label->set_decision(bundle.config.classes(outcome.decisions[label_index]));
    if (label_index < outcome.evidence.size() && outcome.evidence[label_index]) {
      const Evidence& evidence = *outcome.evidence[label_index];
      v1::Evidence* out = label->mutable_evidence();
      out->set_start(evidence.start);
      out->set_end(evidence.end);
      out->set_weight(evidence.weight);
    }
  }
}

void FailEveryReport(const v1::LabelRequest& request, const absl::Status& status,
                     v1::LabelResponse* response) {
  for (const v1::Report& report : request.reports()) {
    v1::ReportResult* result = response->add_results();
    result->set_id(report.id());
    SetStatus(status, result);
  }
}

v1::ModelInfo MakeModelInfo(const ModelBundle& bundle, const BatcherOptions& batching,
                            const ServiceOptions& options, bool supports_evidence) {
  v1::ModelInfo info;
  const v1::BundleConfig& config = bundle.config;
  info.set_name(config.name());
  info.set_version(config.version());
  info.set_checksum(bundle.checksum);
  *info.mutable_classes() = config.classes();
  info.set_positive_class(config.positive_class());
  for (const v1::BundleLabel& label : config.labels()) {
    v1::LabelInfo* out = info.add_labels();
    out->set_name(label.name());
    out->set_threshold(label.threshold());
  }
  info.set_max_tokens(config.max_tokens());
  info.set_chunk_overlap(config.chunk_overlap());
  v1::ServerLimits* limits = info.mutable_limits();
  limits->set_max_reports_per_request(options.max_reports_per_request);
  limits->set_max_batch_size(batching.max_batch_size);
  limits->set_max_batch_tokens(batching.max_batch_tokens);
  limits->set_max_queue_delay_micros(absl::ToInt64Microseconds(batching.max_queue_delay));
  limits->set_max_queue_windows(batching.max_queue_windows);
  limits->set_max_queue_tokens(batching.max_queue_tokens);
  limits->set_max_report_bytes(options.max_report_bytes);
  limits->set_max_message_bytes(options.max_message_bytes);
  info.set_supports_evidence(supports_evidence);
  return info;
}

}  // namespace radlabel
