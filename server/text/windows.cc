#include "text/windows.h"

#include <algorithm>

namespace radlabel {

namespace {

size_t Stride(const WindowOptions& options) {
  return static_cast<size_t>(options.max_tokens - 2 - options.overlap);
}

}  // namespace

size_t WindowFirstToken(int window, const WindowOptions& options) {
  return static_cast<size_t>(window) * Stride(options);
}

std::vector<std::vector<int32_t>> SplitIntoWindows(absl::Span<const int32_t> tokens,
                                                   const WindowOptions& options) {
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

}  // namespace radlabel
