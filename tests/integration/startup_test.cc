// The server validates its bundle at start-up and exits non-zero with a message that names the
// file and the problem.
#include <gtest/gtest.h>

#include "integration/server_process.h"
#include "testing/temp_bundle.h"

namespace radlabel::testing {
namespace {

std::string StartupError(const TempBundle& bundle) {
  auto server = ServerProcess::Start({"--bundle=" + bundle.path()});
  EXPECT_FALSE(server.ok()) << "the server started on a broken bundle";
  return server.ok() ? "" : std::string(server.status().message());
}

TEST(StartupTest, AMissingFileIsNamed) {
  TempBundle bundle("missing_file");
  bundle.Remove("vocab.txt");
  const std::string error = StartupError(bundle);
  EXPECT_NE(error.find("exited with code 1"), std::string::npos) << error;
  EXPECT_NE(error.find("missing vocab.txt"), std::string::npos) << error;
}

TEST(StartupTest, AModelWhoseOutputShapeDoesNotMatchLabelsJsonIsRejected) {
  // labels.json lists one label fewer than model.pt produces.
  TempBundle bundle("wrong_shape");
  bundle.Write("labels.json", R"({
    "name": "wrong-shape", "version": "0", "classes": ["negative", "positive", "uncertain"],
    "positive_class": "positive", "max_tokens": 128, "chunk_overlap": 32, "do_lower_case": true,
    "max_input_chars_per_word": 100,
    "labels": [{"name": "a", "threshold": 0.5}, {"name": "b", "threshold": 0.5},
               {"name": "c", "threshold": 0.5}, {"name": "d", "threshold": 0.5},
               {"name": "e", "threshold": 0.5}, {"name": "f", "threshold": 0.5},
               {"name": "g", "threshold": 0.5}]})");
  bundle.RegenerateManifest();
  const std::string error = StartupError(bundle);
  EXPECT_NE(error.find("exited with code 1"), std::string::npos) << error;
  EXPECT_NE(error.find("model.pt"), std::string::npos) << error;
  EXPECT_NE(error.find("shape [2, 8, 3]"), std::string::npos) << error;
  EXPECT_NE(error.find("[2, 7, 3]"), std::string::npos) << error;
}

TEST(StartupTest, AFileThatIsNotTorchScriptIsRejected) {
  TempBundle bundle("not_torchscript");
  bundle.Write("model.pt", "not a model");
  bundle.RegenerateManifest();
  const std::string error = StartupError(bundle);
  EXPECT_NE(error.find("model.pt cannot be loaded"), std::string::npos) << error;
}

TEST(StartupTest, ATamperedFileFailsItsChecksum) {
  TempBundle bundle("tampered");
  bundle.Write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
  const std::string error = StartupError(bundle);
  EXPECT_NE(error.find("vocab.txt has SHA-256"), std::string::npos) << error;
}

TEST(StartupTest, AnUnusableDeviceOrPrecisionIsRefusedWithWhatToUseInstead) {
  // cuda:99: no CUDA in Debian's LibTorch; no 100th GPU where there is CUDA.
  for (const auto& [flag, expected] : std::vector<std::pair<std::string, std::string>>{
           {"--device=cuda:99", "cuda:99 asked for"},
           {"--device=tpu", "use cpu, cuda or cuda:N"},
           {"--precision=float16", "float16 needs a CUDA device"},
           {"--precision=float8", "use auto, float32, float16 or bfloat16"}}) {
    auto server = ServerProcess::Start({flag});
    ASSERT_FALSE(server.ok()) << flag << " started";
    const std::string error(server.status().message());
    EXPECT_NE(error.find("exited with code 1"), std::string::npos) << error;
    EXPECT_NE(error.find(expected), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace radlabel::testing
