// libFuzzer target: request validation and everything a request's reports go through before
// and after the model (UTF-8 checks, size and id checks, tokenization, windowing, combining,
// evidence, conversion to the response), on a LabelRequest decoded from arbitrary bytes. The
// model is a stand-in that returns uniform probabilities, so that the fuzzer spends its time in
// radlabel's own code.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/synchronization/notification.h"
#include "google/protobuf/stubs/logging.h"
#include "core/pipeline.h"
#include "model/bundle.h"
#include "radlabel/v1/labeller.pb.h"
#include "service/convert.h"

namespace {

class UniformModel final : public radlabel::Model {
 public:
  UniformModel(int num_labels, int num_classes) : labels_(num_labels), classes_(num_classes) {}
  bool SupportsEvidence() const override { return true; }
  absl::StatusOr<radlabel::ModelOutput> Run(const radlabel::TokenBatch& batch) override {
    radlabel::ModelOutput out;
    out.probabilities.assign(static_cast<size_t>(batch.batch_size * labels_ * classes_),
                             1.0f / static_cast<float>(classes_));
    if (batch.with_attention) {
      out.attention.assign(static_cast<size_t>(batch.batch_size * labels_ * batch.seq_len),
                           1.0f / static_cast<float>(batch.seq_len));
    }
    return out;
  }

 private:
  const int labels_, classes_;
};

radlabel::Pipeline& ThePipeline() {
  static radlabel::Pipeline* pipeline = [] {
    // Invalid UTF-8 in string fields is an expected input here, not news.
    google::protobuf::SetLogHandler(nullptr);
    auto bundle = radlabel::LoadModelBundle(RADLABEL_DEFAULT_BUNDLE);
    if (!bundle.ok()) std::abort();
    auto tokenizer = radlabel::LoadBundleTokenizer(*bundle);
    if (!tokenizer.ok()) std::abort();
    auto model = std::make_unique<UniformModel>(bundle->num_labels(), bundle->num_classes());
    radlabel::BatcherOptions options;
    options.max_queue_delay = absl::ZeroDuration();
    auto built = radlabel::Pipeline::Create(*std::move(bundle), *std::move(tokenizer),
                                            std::move(model), options);
    if (!built.ok()) std::abort();
    return built->release();
  }();
  return *pipeline;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  radlabel::Pipeline& pipeline = ThePipeline();
  radlabel::v1::LabelRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size)) || request.reports_size() > 64) return 0;
  radlabel::ServiceOptions service_options;
  service_options.max_report_bytes = 4096;
  if (!radlabel::CheckReportCount(request, service_options).ok()) return 0;
  radlabel::v1::LabelResponse response;
  absl::Notification done;
  const absl::Status started = pipeline.labeller().Label(
      radlabel::ReportRefsOf(request), radlabel::LabelOptionsOf(request, service_options, nullptr),
      [&](std::vector<radlabel::ReportOutcome> outcomes) {
        for (const radlabel::ReportOutcome& outcome : outcomes) {
          radlabel::FillResult(outcome, pipeline.bundle(), response.add_results());
        }
        done.Notify();
      });
  if (!started.ok()) {
    radlabel::FailEveryReport(request, started, &response);
    return 0;
  }
  done.WaitForNotification();
  if (response.results_size() != request.reports_size()) std::abort();
  return 0;
}
