// A two-label bundle for tests of the labeller and the service: a tiny vocabulary and a fake
// model's outputs that say a window is positive for "stroke" or "mass" when it holds the word.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "model/bundle.h"

namespace radlabel::testing {

// Vocabulary ids: 0..3 special, then words.
inline const std::vector<std::string> kVocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "normal", "stroke", "mass"};
constexpr int64_t kStroke = 5, kMass = 6;

// Two labels (stroke, mass) x three classes (negative, positive, uncertain). A window is
// positive for a label when it contains the label's word.
inline std::vector<float> WordDetector(const std::vector<int64_t>& ids, const std::vector<int64_t>&) {
  std::vector<float> out;
  for (int64_t word : {kStroke, kMass}) {
    const bool present = std::find(ids.begin(), ids.end(), word) != ids.end();
    out.insert(out.end(), present ? std::initializer_list<float>{0.05f, 0.9f, 0.05f}
                                  : std::initializer_list<float>{0.7f, 0.1f, 0.2f});
  }
  return out;
}

// Each label attends evenly to its own word's tokens (to [CLS] when the window has none).
inline std::vector<float> WordAttention(const std::vector<int64_t>& ids, const std::vector<int64_t>&) {
  std::vector<float> out;
  for (int64_t word : {kStroke, kMass}) {
    std::vector<float> row(ids.size(), 0.0f);
    const auto n = std::count(ids.begin(), ids.end(), word);
    for (size_t t = 0; t < ids.size(); ++t) {
      if (ids[t] == word) row[t] = 1.0f / static_cast<float>(n);
    }
    if (n == 0) row[0] = 1.0f;
    out.insert(out.end(), row.begin(), row.end());
  }
  return out;
}

inline ModelBundle TestBundle() {
  ModelBundle bundle;
  v1::BundleConfig& config = bundle.config;
  config.set_name("test");
  for (const char* c : {"negative", "positive", "uncertain"}) config.add_classes(c);
  config.set_positive_class("positive");
  for (const char* l : {"stroke", "mass"}) {
    v1::BundleLabel* label = config.add_labels();
    label->set_name(l);
    label->set_threshold(0.5f);
  }
  config.set_max_tokens(6);  // 4 content tokens per window
  config.set_chunk_overlap(1);
  config.set_do_lower_case(true);
  config.set_max_input_chars_per_word(100);
  bundle.positive_class = 1;
  return bundle;
}

}  // namespace radlabel::testing
