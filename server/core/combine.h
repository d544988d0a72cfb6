// From the model's outputs for a report's windows to the report's answer: per label, the window
// that decides it, the report's class distribution (that window's) and the decision. Mirrors
// model/radlabel_model/windows.py, which the offline evaluation uses.
#pragma once

#include <vector>

#include "absl/types/span.h"
#include "model/bundle.h"

namespace radlabel {

// How a bundle decides: its label and class counts, the positive class and each label's
// threshold on the positive probability.
struct DecisionRule {
  int num_labels = 0;
  int num_classes = 0;
  int positive_class = 0;
  std::vector<float> thresholds;  // per label, in [0, 1]

  static DecisionRule Of(const ModelBundle& bundle);
};

// A report's answer.
struct CombinedReport {
  std::vector<float> probabilities;  // [labels x classes], row-major
  std::vector<int> decisions;        // decided class per label
  std::vector<int> deciding_window;  // per label, the window whose distribution it took
};

// Combines per-window probabilities [windows][labels x classes] (at least one window).
CombinedReport Combine(const std::vector<std::vector<float>>& window_probabilities,
                       const DecisionRule& rule);

// Per label, the window with the highest probability of `positive_class`: the window that
// decides the label and whose attention gives its evidence. A later window must beat the best
// so far by more than kWindowTieTolerance: a sentence-level model gives a sentence the same
// probability in every window that holds it, up to float noise that differs between batch
// compositions, and the earliest of such tied windows must win in every run (and in
// model/radlabel_model/windows.py).
inline constexpr float kWindowTieTolerance = 1e-5f;
std::vector<int> BestWindowPerLabel(const std::vector<std::vector<float>>& window_probabilities,
                                    int num_labels, int num_classes, int positive_class);

// The report's [labels x classes]: per label, the class distribution of its best window.
std::vector<float> CombineWindows(const std::vector<std::vector<float>>& window_probabilities,
                                  const std::vector<int>& best_window, int num_classes);

// Per label: the positive class when its probability reaches the threshold, otherwise the more
// probable of the other classes (the lower index on ties).
int DecideClass(absl::Span<const float> class_probabilities, int positive_class, float threshold);

}  // namespace radlabel
