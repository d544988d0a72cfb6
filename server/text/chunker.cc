#include "text/chunker.h"

#include <algorithm>

namespace radlabel {

std::vector<std::vector<int32_t>> SplitIntoWindows(absl::Span<const int32_t> tokens,
                                                   const ChunkingOptions& options) {
  const size_t content = static_cast<size_t>(options.max_tokens - 2);
  const size_t stride = content - static_cast<size_t>(options.chunk_overlap);
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

std::vector<float> CombineWindows(const std::vector<std::vector<float>>& window_probabilities,
                                  int num_labels, int num_classes, int positive_class) {
  std::vector<float> combined = window_probabilities.front();
  for (size_t w = 1; w < window_probabilities.size(); ++w) {
    const std::vector<float>& probs = window_probabilities[w];
    for (int l = 0; l < num_labels; ++l) {
      const size_t row = static_cast<size_t>(l * num_classes);
      if (probs[row + positive_class] > combined[row + positive_class]) {
        std::copy_n(probs.begin() + row, num_classes, combined.begin() + row);
      }
    }
  }
  return combined;
}

}  // namespace radlabel
