#include "model/bundle.h"

#include <gtest/gtest.h>

#include "testing/temp_bundle.h"

namespace radlabel {
namespace {

using testing::kDefaultBundleDir;

// Each test breaks its own copy of the default bundle in one way.
class BundleTest : public ::testing::Test {
 protected:
  absl::Status Load() { return LoadModelBundle(bundle_.path()).status(); }
  testing::TempBundle bundle_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
};

void ExpectMentions(const absl::Status& status, std::initializer_list<const char*> words) {
  EXPECT_FALSE(status.ok());
  for (const char* word : words) {
    EXPECT_NE(status.message().find(word), absl::string_view::npos)
        << "'" << word << "' not in: " << status.message();
  }
}

TEST_F(BundleTest, TheDefaultBundleIsValid) {
  auto bundle = LoadModelBundle(kDefaultBundleDir);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->num_labels(), 8);
  EXPECT_EQ(bundle->config.labels(0).name(), "abnormal");
  EXPECT_EQ(bundle->config.classes(bundle->positive_class), "positive");
  EXPECT_EQ(bundle->checksum.size(), 64u);
}

TEST_F(BundleTest, AMissingFileIsNamed) {
  bundle_.Remove(kVocabFile);
  ExpectMentions(Load(), {"missing", "vocab.txt"});
}

TEST_F(BundleTest, AChangedFileFailsTheManifest) {
  bundle_.Write(kVocabFile, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
  ExpectMentions(Load(), {"vocab.txt", "SHA-256", "MANIFEST.sha256"});
}

TEST_F(BundleTest, AManifestThatOmitsAFileIsRejected) {
  bundle_.Write(kManifestFile, "");
  ExpectMentions(Load(), {"does not list", "model.pt"});
}

TEST_F(BundleTest, AnUnknownKeyInLabelsJsonIsNamed) {
  bundle_.Write(kLabelsFile, R"({"name": "x", "clases": ["negative", "positive"]})");
  bundle_.RegenerateManifest();
  ExpectMentions(Load(), {"labels.json", "clases"});
}

TEST_F(BundleTest, ConfigProblemsSayWhatToFix) {
  const std::string base =
      R"("name": "x", "classes": ["negative", "positive"], "max_tokens": 128, )"
      R"("chunk_overlap": 16, "max_input_chars_per_word": 100, )";
  bundle_.Write(kLabelsFile, "{" + base +
                         R"("positive_class": "yes", "labels": [{"name": "a", "threshold": 0.5}]})");
  bundle_.RegenerateManifest();
  ExpectMentions(Load(), {"positive_class", "yes"});

  bundle_.Write(kLabelsFile, "{" + base +
                         R"("positive_class": "positive", "labels": [{"name": "a", "threshold": 1.5}]})");
  bundle_.RegenerateManifest();
  ExpectMentions(Load(), {"threshold", "[0, 1]"});

  bundle_.Write(kLabelsFile, "{" + base + R"("positive_class": "positive", "labels": []})");
  bundle_.RegenerateManifest();
  ExpectMentions(Load(), {"labels"});
}

TEST(BundleConfigTest, ChunkOverlapMustLeaveProgress) {
  v1::BundleConfig config;
  config.add_classes("negative");
  config.add_classes("positive");
  config.set_positive_class("positive");
  config.add_labels()->set_name("a");
  config.set_max_tokens(10);
  config.set_max_input_chars_per_word(100);
  config.set_chunk_overlap(8);
  ExpectMentions(ValidateBundleConfig(config), {"chunk_overlap"});
  config.set_chunk_overlap(7);
  EXPECT_TRUE(ValidateBundleConfig(config).ok());
}

}  // namespace
}  // namespace radlabel
