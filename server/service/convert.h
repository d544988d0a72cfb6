// Between the API's messages (radlabel.v1) and the labeller's values, free of gRPC: the gRPC
// service, the request fuzzer and any other transport convert here, so that every door to the
// labeller reads requests and writes results the same way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "batching/batcher_options.h"
#include "core/labeller.h"
#include "model/bundle.h"
#include "radlabel/v1/labeller.pb.h"
#include "service/service_options.h"

namespace radlabel {

// OK, or INVALID_ARGUMENT when `request` holds no reports or more than the service accepts.
absl::Status CheckReportCount(const v1::LabelRequest& request, const ServiceOptions& options);

// The request's reports as the labeller takes them; they point into `request`.
std::vector<ReportRef> ReportRefsOf(const v1::LabelRequest& request);

// How to label `request`: its evidence flag, the service's report size limit and `caller`.
LabelOptions LabelOptionsOf(const v1::LabelRequest& request, const ServiceOptions& options,
                            std::shared_ptr<const CallerState> caller);

// Fills `result` (its id aside) from one report's outcome: status, counts and, when labelled,
// per label the probabilities, the decision and any evidence, in the bundle's label order.
void FillResult(const ReportOutcome& outcome, const ModelBundle& bundle, v1::ReportResult* result);

// `response` for a request whose labelling did not start: every report fails with `status`.
void FailEveryReport(const v1::LabelRequest& request, const absl::Status& status,
                     v1::LabelResponse* response);

// What GetModelInfo answers: the bundle and the limits it is served with.
v1::ModelInfo MakeModelInfo(const ModelBundle& bundle, const BatcherOptions& batching,
                            const ServiceOptions& options, bool supports_evidence);

}  // namespace radlabel
