#include "text/chunker.h"

#include <algorithm>

namespace radlabel {

namespace {

size_t Stride(const ChunkingOptions& options) {
  return static_cast<size_t>(options.max_tokens - 2 - options.chunk_overlap);
}

}  // namespace

size_t WindowFirstToken(int window, const ChunkingOptions& options) {
  return static_cast<size_t>(window) * Stride(options);
}

std::vector<std::vector<int32_t>> SplitIntoWindows(absl::Span<const int32_t> tokens,
                                                   const ChunkingOptions& options) {
  const size_t content = static_cast<size_t>(options.max_tokens - 2);
  const size_t stride = Stride(options);
  std::vector<std::vector<int32_t>> windows;
  for (size_t start = 0;; start += stride) {
    const size_t end = std::min(tokens.size(), start + content);
    std::vector<int32_t> window;
    window.reserve(end - start + 2);
    window.push_back(options.cls_id);
    window.insert(window.end(), tokens.begin() + start, tokens.begin() + end);
    window.push_back(options.sep_id);
    windows.push_back(std::move(window));
    if (end == tokens.size()) return windows;
  }
}

std::vector<int> BestWindowPerLabel(const std::vector<std::vector<float>>& window_probabilities,
                                    int num_labels, int num_classes, int positive_class) {
  std::vector<int> best(static_cast<size_t>(num_labels), 0);
  for (int l = 0; l < num_labels; ++l) {
    const size_t positive = static_cast<size_t>(l * num_classes + positive_class);
    for (size_t w = 1; w < window_probabilities.size(); ++w) {
      if (window_probabilities[w][positive] >
          window_probabilities[static_cast<size_t>(best[static_cast<size_t>(l)])][positive] +
              kWindowTieTolerance) {
        best[static_cast<size_t>(l)] = static_cast<int>(w);
      }
    }
  }
  return best;
}

std::vector<float> CombineWindows(const std::vector<std::vector<float>>& window_probabilities,
                                  const std::vector<int>& best_window, int num_classes) {
  std::vector<float> combined(best_window.size() * static_cast<size_t>(num_classes));
  for (size_t l = 0; l < best_window.size(); ++l) {
    const auto row = static_cast<std::ptrdiff_t>(l) * num_classes;
    const std::vector<float>& probs = window_probabilities[static_cast<size_t>(best_window[l])];
    std::copy_n(probs.begin() + row, num_classes, combined.begin() + row);
  }
  return combined;
}

}  // namespace radlabel
