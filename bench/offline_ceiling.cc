// The offline ceiling: the bundle's model run as a bare LibTorch loop over length-sorted batches,
// no gRPC, no queue. Reports the rate of tokenization and of the model separately, so that the
// served rate can be compared with what the model alone can do on this machine. Takes the
// server's model flags (--device, --precision, --model_workers, batch limits) and defaults.
//
//   radlabel-offline-ceiling --bundle=model/default --input=corpus.csv --id_column=report_id
#include <algorithm>
#include <atomic>
#include <iostream>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "model/allocator_tuning.h"
#include "cli/report_reader.h"
#include "model/bundle.h"
#include "model/torch_model.h"
#include "model_runtime_flags.h"
#include "text/windows.h"
#include "text/tokenizer.h"

ABSL_FLAG(std::string, bundle, RADLABEL_DEFAULT_BUNDLE, "Model bundle directory.");
ABSL_FLAG(std::string, input, "", "Reports, CSV or JSONL.");
ABSL_FLAG(std::string, id_column, "id", "CSV column (or JSONL key) of the report id.");
ABSL_FLAG(std::string, text_column, "text", "CSV column (or JSONL key) of the report text.");
ABSL_FLAG(bool, json, false, "Print one JSON object instead of text.");
ABSL_FLAG(bool, shuffle_batches, false,
          "Run the length-sorted batches in random order, as a server meets them.");

namespace radlabel {
namespace {

int Run() {
  auto bundle = LoadModelBundle(absl::GetFlag(FLAGS_bundle));
  if (!bundle.ok()) return std::cerr << bundle.status().message() << "\n", 1;
  auto tokenizer = LoadBundleTokenizer(*bundle);
  if (!tokenizer.ok()) return std::cerr << tokenizer.status().message() << "\n", 1;
  const ModelRuntime runtime = ModelRuntimeFromFlags(TorchModelOptionsFor(*bundle, *tokenizer));
  if (absl::Status valid = runtime.batching.Validate(bundle->config.max_tokens()); !valid.ok()) {
    return std::cerr << valid.message() << "\n", 1;
  }
  auto model = LoadTorchModel(bundle->path(kModelFile), runtime.model);
  if (!model.ok()) return std::cerr << model.status().message() << "\n", 1;

  const std::string input = absl::GetFlag(FLAGS_input);
  auto format = ParseReportFormat("auto", input);
  auto corpus = ReadCorpus(input, *format,
                           {absl::GetFlag(FLAGS_id_column), absl::GetFlag(FLAGS_text_column)});
  if (!corpus.ok()) return std::cerr << corpus.status().message() << "\n", 1;
  std::vector<std::string> texts;
  for (v1::Report& report : *corpus) texts.push_back(std::move(*report.mutable_text()));

  const WindowOptions window_options = BundleWindowOptions(*bundle, *tokenizer);
  const absl::Time tokenize_start = absl::Now();
  std::vector<std::vector<int32_t>> windows;
  for (const std::string& text : texts) {
    for (auto& w : SplitIntoWindows(tokenizer->Encode(text), window_options)) windows.push_back(std::move(w));
  }
  const absl::Duration tokenize_time = absl::Now() - tokenize_start;
  std::stable_sort(windows.begin(), windows.end(),
                   [](const auto& a, const auto& b) { return a.size() < b.size(); });

  const size_t max_rows = static_cast<size_t>(runtime.batching.max_batch_size);
  const size_t max_tokens = static_cast<size_t>(runtime.batching.max_batch_tokens);
  std::vector<std::pair<size_t, size_t>> spans;  // [first, last) of each batch
  for (size_t first = 0; first < windows.size();) {
    size_t last = first + 1;  // sorted: the last row is the longest
    while (last < windows.size() && last - first < max_rows &&
           windows[last].size() * (last - first + 1) <= max_tokens) {
      ++last;
    }
    spans.emplace_back(first, last);
    first = last;
  }
  if (absl::GetFlag(FLAGS_shuffle_batches)) std::shuffle(spans.begin(), spans.end(), std::mt19937(1));
  int64_t padded = 0, real = 0;
  std::vector<TokenBatch> batches;
  for (const auto& [first, last] : spans) {
    TokenBatch& batch = batches.emplace_back();
    batch.batch_size = static_cast<int>(last - first);
    batch.seq_len = static_cast<int>(windows[last - 1].size());
    batch.input_ids.assign(static_cast<size_t>(batch.batch_size * batch.seq_len), tokenizer->pad_id());
    batch.attention_mask.assign(batch.input_ids.size(), 0);
    for (size_t r = first; r < last; ++r) {
      const size_t row = (r - first) * static_cast<size_t>(batch.seq_len);
      std::copy(windows[r].begin(), windows[r].end(), batch.input_ids.begin() + row);
      std::fill_n(batch.attention_mask.begin() + row, windows[r].size(), 1);
      real += static_cast<int64_t>(windows[r].size());
    }
    padded += static_cast<int64_t>(batch.batch_size) * batch.seq_len;
  }
  // Workers take the next batch in order, as the server's batcher workers take the next batch.
  const absl::Time model_start = absl::Now();
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < runtime.batching.model_workers; ++w) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < batches.size() && !failed; i = next++) {
        if (auto out = (*model)->Run(batches[i]); !out.ok()) {
          std::cerr << out.status().message() << "\n";
          failed = true;
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  if (failed) return 1;
  const double model_s = absl::ToDoubleSeconds(absl::Now() - model_start);
  const double tokenize_s = absl::ToDoubleSeconds(tokenize_time);
  const double n = static_cast<double>(texts.size());
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << absl::StrFormat(
        R"({"reports": %d, "windows": %d, "batches": %d, "padding_ratio": %.4f, )"
        R"("tokenize_seconds": %.4f, "model_seconds": %.4f, "model_reports_per_second": %.2f, )"
        R"("reports_per_second": %.2f})",
        texts.size(), windows.size(), batches.size(), 1.0 - static_cast<double>(real) / padded, tokenize_s,
        model_s, n / model_s, n / (model_s + tokenize_s)) << "\n";
  } else {
    std::cout << absl::StrFormat(
        "%d reports, %d windows in %d batches (padding %.1f%%)\n"
        "tokenization: %.3f s (%.0f reports/s, one thread)\n"
        "model:        %.3f s (%.1f reports/s, %.1f windows/s)\n"
        "both:         %.1f reports/s\n",
        texts.size(), windows.size(), batches.size(), 100.0 * (1.0 - static_cast<double>(real) / padded),
        tokenize_s, n / tokenize_s, model_s, n / model_s, windows.size() / model_s,
        n / (model_s + tokenize_s));
  }
  return 0;
}

}  // namespace
}  // namespace radlabel

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  radlabel::KeepLargeAllocationsInHeap();  // as radlabel-server does
  return radlabel::Run();
}
