#include "core/combine.h"

#include <algorithm>

namespace radlabel {

DecisionRule DecisionRule::Of(const ModelBundle& bundle) {
  DecisionRule rule;
  rule.num_labels = bundle.num_labels();
  rule.num_classes = bundle.num_classes();
  rule.positive_class = bundle.positive_class;
  for (const v1::BundleLabel& label : bundle.config.labels()) {
    rule.thresholds.push_back(label.threshold());
  }
  return rule;
}

CombinedReport Combine(const std::vector<std::vector<float>>& window_probabilities,
                       const DecisionRule& rule) {
  CombinedReport report;
  report.deciding_window = BestWindowPerLabel(window_probabilities, rule.num_labels,
                                              rule.num_classes, rule.positive_class);
  report.probabilities =
      CombineWindows(window_probabilities, report.deciding_window, rule.num_classes);
  const auto classes = static_cast<size_t>(rule.num_classes);
  for (size_t l = 0; l < static_cast<size_t>(rule.num_labels); ++l) {
    report.decisions.push_back(
        DecideClass(absl::Span<const float>(report.probabilities).subspan(l * classes, classes),
                    rule.positive_class, rule.thresholds[l]));
  }
  return report;
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

int DecideClass(absl::Span<const float> class_probabilities, int positive_class,
                float threshold) {
  if (class_probabilities[static_cast<size_t>(positive_class)] >= threshold) return positive_class;
  int best = -1;
  for (int c = 0; c < static_cast<int>(class_probabilities.size()); ++c) {
    if (c == positive_class) continue;
    if (best < 0 || class_probabilities[static_cast<size_t>(c)] >
                        class_probabilities[static_cast<size_t>(best)]) {
      best = c;
    }
  }
  return best;
}

}  // namespace radlabel
