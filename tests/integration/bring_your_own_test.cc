// The bring-your-own-model path of the README, end to end: a Hugging Face-format BERT
// checkpoint (tensor names of BioBERT, random weights), fine-tuned for a few steps on a tiny CSV
// with its own 3-label schema, written as a bundle, and served by radlabel-server.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "integration/server_process.h"
#include "radlabel/client.h"

namespace radlabel::testing {
namespace {

namespace fs = std::filesystem;

// A CheXpert-convention CSV: 1 positive, 0 or empty negative, -1 uncertain.
void WriteTinyLabelledCsv(const fs::path& path) {
  std::ofstream out(path);
  out << "report_id,text,haemorrhage,fracture,hydrocephalus\n";
  const char* findings[] = {"Acute subdural haemorrhage.", "Skull fracture of the left parietal bone.",
                            "Dilated ventricles in keeping with hydrocephalus.", "Possible small haemorrhage.",
                            "No fracture. No haemorrhage.", "Normal study."};
  const char* labels[] = {"1,0,0", "0,1,", "0,,1", "-1,0,0", "0,0,0", ",,"};
  for (int i = 0; i < 48; ++i) {
    out << "r" << i << ",\"CT HEAD: " << findings[i % 6] << " Patient " << i << ".\"," << labels[i % 6] << "\n";
  }
}

TEST(BringYourOwnModelTest, FineTunedHuggingFaceCheckpointIsServed) {
  const fs::path dir = fs::temp_directory_path() / ("radlabel_byo_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  WriteTinyLabelledCsv(dir / "labelled.csv");

  const ProcessResult checkpoint = RunProcess(
      {"/usr/bin/python3", kSourceDir + "/model/make_tiny_bert.py", "--out", (dir / "bert").string(),
       "--texts", (dir / "labelled.csv").string()});
  ASSERT_EQ(checkpoint.exit_code, 0) << checkpoint.output;
  const ProcessResult finetune = RunProcess(
      {"/usr/bin/python3", kSourceDir + "/model/finetune.py", "--base", (dir / "bert").string(),
       "--train", (dir / "labelled.csv").string(), "--out", (dir / "bundle").string(),
       "--name", "tiny-byo", "--max-tokens", "64", "--epochs", "1", "--max-steps", "5",
       "--threads", "1"});
  ASSERT_EQ(finetune.exit_code, 0) << finetune.output;
  EXPECT_NE(finetune.output.find("['haemorrhage', 'fracture', 'hydrocephalus']"), std::string::npos)
      << finetune.output;

  auto server = ServerProcess::Start({"--bundle=" + (dir / "bundle").string()});
  ASSERT_TRUE(server.ok()) << server.status();
  ClientOptions options;
  options.include_evidence = true;
  auto client = Client::Connect((*server)->target(), options);
  ASSERT_TRUE(client.ok()) << client.status();
  auto info = (*client)->GetModelInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name(), "tiny-byo");
  ASSERT_EQ(info->labels_size(), 3);
  EXPECT_EQ(info->labels(0).name(), "haemorrhage");
  EXPECT_EQ(info->labels(2).name(), "hydrocephalus");
  EXPECT_EQ(info->max_tokens(), 64);
  EXPECT_TRUE(info->supports_evidence());

  v1::Report report;
  report.set_id("new1");
  std::string text = "CT HEAD: Acute subdural haemorrhage. Dilated ventricles.";
  for (int i = 0; i < 30; ++i) text += " Normal study.";  // ~100 tokens: two windows of 64
  report.set_text(text);
  auto results = (*client)->Label({report});
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 1u);
  const v1::ReportResult& result = (*results)[0];
  ASSERT_EQ(result.status().code(), 0) << result.status().message();
  ASSERT_EQ(result.labels_size(), 3);
  EXPECT_EQ(result.num_chunks(), 2);
  for (const v1::LabelResult& label : result.labels()) {
    ASSERT_EQ(label.probabilities_size(), 3);
    EXPECT_NEAR(label.probabilities(0) + label.probabilities(1) + label.probabilities(2), 1.0, 1e-4);
    if (label.decision() != "negative") {
      EXPECT_LT(label.evidence().start(), label.evidence().end());
    }
  }
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->output();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace radlabel::testing
