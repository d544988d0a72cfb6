// libFuzzer target: request validation and everything a request's reports go through before
// and after the model (UTF-8 checks, size and id checks, tokenization, windowing, combining,
// evidence), on a LabelRequest decoded from arbitrary bytes. The model is a stand-in that
// returns uniform probabilities, so that the fuzzer spends its time in radlabel's own code.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/synchronization/notification.h"
#include "google/protobuf/stubs/logging.h"
#include "batching/batcher.h"
#include "core/labeller.h"
#include "model/bundle.h"
#include "radlabel/v1/labeller.pb.h"

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

struct Service {
  radlabel::ModelBundle bundle;
  radlabel::WordPieceTokenizer tokenizer;
  UniformModel model;
  std::unique_ptr<radlabel::Batcher> batcher;
  std::unique_ptr<radlabel::Labeller> labeller;
};

Service& TheService() {
  static Service* service = [] {
    // Invalid UTF-8 in string fields is an expected input here, not news.
    google::protobuf::SetLogHandler(nullptr);
    auto bundle = radlabel::LoadModelBundle(RADLABEL_DEFAULT_BUNDLE);
    if (!bundle.ok()) std::abort();
    auto tokenizer = radlabel::LoadBundleTokenizer(*bundle);
    if (!tokenizer.ok()) std::abort();
    auto* s = new Service{*bundle, *std::move(tokenizer),
                          UniformModel(bundle->num_labels(), bundle->num_classes()), nullptr,
                          nullptr};
    radlabel::BatcherOptions options;
    options.max_queue_delay = absl::ZeroDuration();
    auto batcher = radlabel::Batcher::Create(options, &s->model, s->tokenizer.pad_id(),
                                             s->bundle.num_labels() * s->bundle.num_classes(),
                                             s->bundle.config.max_tokens());
    if (!batcher.ok()) std::abort();
    s->batcher = *std::move(batcher);
    s->labeller = std::make_unique<radlabel::Labeller>(s->bundle, s->tokenizer, *s->batcher, true);
    return s;
  }();
  return *service;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Service& service = TheService();
  radlabel::v1::LabelRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size)) || request.reports_size() > 64) return 0;
  std::vector<radlabel::ReportRef> refs;
  for (const radlabel::v1::Report& report : request.reports()) refs.push_back({report.id(), report.text()});
  radlabel::LabelOptions options;
  options.evidence = request.include_evidence();
  options.max_report_bytes = 4096;
  absl::Notification done;
  size_t outcomes = 0;
  const absl::Status started = service.labeller->Label(
      refs, options, [&](std::vector<radlabel::ReportOutcome> results) {
        outcomes = results.size();
        done.Notify();
      });
  if (!started.ok()) return 0;
  done.WaitForNotification();
  if (outcomes != refs.size()) std::abort();
  return 0;
}
