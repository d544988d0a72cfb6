// A real radlabel-server process on the default bundle, driven through the client library.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/json_string.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "cli/report_reader.h"
#include "cli/result_writer.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection_subset.grpc.pb.h"
#include "integration/server_process.h"
#include "radlabel/client.h"

namespace radlabel::testing {
namespace {

const std::string kSamples = kSourceDir + "/model/samples/head_mri_reports.csv";

std::vector<v1::Report> ReadSamples(int count) {
  auto reports = ReadCorpus(kSamples, ReportFormat::kCsv, {"report_id", "text"});
  EXPECT_TRUE(reports.ok()) << reports.status();
  EXPECT_GE(reports->size(), static_cast<size_t>(count));
  reports->resize(static_cast<size_t>(count));
  return *std::move(reports);
}

v1::LabelRequest RequestOf(const std::vector<v1::Report>& reports) {
  v1::LabelRequest request;
  for (const v1::Report& report : reports) *request.add_reports() = report;
  return request;
}

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = ServerProcess::Start({});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
    auto client = Client::Connect(server_->target());
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = client->release();
  }
  static void TearDownTestSuite() {
    delete client_;
    delete server_;
  }
  static ServerProcess* server_;
  static Client* client_;
};
ServerProcess* ServerTest::server_ = nullptr;
Client* ServerTest::client_ = nullptr;

// Offline probabilities of the same bundle from model/predict.py (Python, torch), by report id.
std::map<std::string, google::protobuf::ListValue> PythonProbabilities(
    const std::vector<v1::Report>& reports) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string input = (dir / ("radlabel_py_in_" + std::to_string(getpid()) + ".jsonl")).string();
  const std::string output = (dir / ("radlabel_py_out_" + std::to_string(getpid()) + ".jsonl")).string();
  {
    std::ofstream in(input);
    for (const v1::Report& r : reports) {
      std::string line = "{\"id\":";
      AppendJsonString(r.id(), line);
      line += ",\"text\":";
      AppendJsonString(r.text(), line);
      in << line << "}\n";
    }
  }
  // One thread: OpenBLAS's OpenMP threads wait for each other spinning, so beside other tests
  // (ctest -j2 on 2 cores) two threads stall: over 200 s instead of 10 s, seen as a timeout.
  const ProcessResult run = RunProcess({"/usr/bin/python3", kSourceDir + "/model/predict.py",
                                        "--threads", "1", "--bundle",
                                        kSourceDir + "/model/default", "--input", input,
                                        "--output", output});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::map<std::string, google::protobuf::ListValue> by_id;
  std::ifstream out(output);
  std::string line;
  while (std::getline(out, line)) {
    google::protobuf::Struct row;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &row).ok());
    by_id[row.fields().at("id").string_value()] = row.fields().at("probabilities").list_value();
  }
  std::filesystem::remove(input);
  std::filesystem::remove(output);
  return by_id;
}

TEST_F(ServerTest, StreamedReportsComeBackOnceInOrderWithPythonsProbabilities) {
  const std::vector<v1::Report> reports = ReadSamples(400);
  size_t next = 0;
  std::vector<v1::ReportResult> results;
  StreamOptions options;
  options.reports_per_message = 7;  // messages that do not divide the total
  options.max_reports_in_flight = 140;
  const absl::Status streamed = client_->LabelStream(
      [&]() -> absl::StatusOr<std::optional<v1::Report>> {
        if (next == reports.size()) return std::nullopt;
        return reports[next++];
      },
      [&](v1::ReportResult result) {
        results.push_back(std::move(result));
        return absl::OkStatus();
      },
      options);
  ASSERT_TRUE(streamed.ok()) << streamed;
  ASSERT_EQ(results.size(), reports.size());
  absl::flat_hash_set<std::string> seen;
  int multi_window = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].id(), reports[i].id());
    EXPECT_TRUE(seen.insert(results[i].id()).second) << "duplicate " << results[i].id();
    EXPECT_EQ(results[i].status().code(), 0) << results[i].status().message();
    multi_window += results[i].num_chunks() > 1;
  }
  EXPECT_GT(multi_window, 0) << "the sample should exercise long reports' windows";

  const auto expected = PythonProbabilities(reports);
  ASSERT_EQ(expected.size(), reports.size());
  double worst = 0;
  for (const v1::ReportResult& result : results) {
    const google::protobuf::ListValue& labels = expected.at(result.id());
    ASSERT_EQ(result.labels_size(), labels.values_size());
    for (int l = 0; l < result.labels_size(); ++l) {
      const auto& classes = labels.values(l).list_value();
      ASSERT_EQ(result.labels(l).probabilities_size(), classes.values_size());
      for (int c = 0; c < classes.values_size(); ++c) {
        worst = std::max(worst, std::abs(result.labels(l).probabilities(c) -
                                         classes.values(c).number_value()));
      }
    }
  }
  EXPECT_LE(worst, 1e-4) << "largest difference from the Python run";
}

// --precision=bfloat16 casts the model's floating-point weights and buffers (not its integer or
// boolean ones) and still returns float32 probabilities: on CPU it must label like float32.
TEST_F(ServerTest, Bfloat16PrecisionLabelsLikeFloat32) {
  auto bf16_server = ServerProcess::Start({"--precision=bfloat16"});
  ASSERT_TRUE(bf16_server.ok()) << bf16_server.status();
  auto bf16_client = Client::Connect((*bf16_server)->target());
  ASSERT_TRUE(bf16_client.ok()) << bf16_client.status();
  const std::vector<v1::Report> reports = ReadSamples(40);
  auto expected = client_->Label(reports);
  auto actual = (*bf16_client)->Label(reports);
  ASSERT_TRUE(expected.ok() && actual.ok()) << expected.status() << actual.status();
  ASSERT_EQ(actual->size(), expected->size());
  int decisions = 0, same = 0;
  double worst = 0;
  for (size_t r = 0; r < actual->size(); ++r) {
    ASSERT_EQ((*actual)[r].status().code(), 0) << (*actual)[r].status().message();
    for (int l = 0; l < (*actual)[r].labels_size(); ++l) {
      const auto& a = (*actual)[r].labels(l);
      const auto& e = (*expected)[r].labels(l);
      ++decisions;
      same += a.decision() == e.decision();
      for (int c = 0; c < a.probabilities_size(); ++c) {
        worst = std::max(worst, static_cast<double>(std::abs(a.probabilities(c) - e.probabilities(c))));
      }
    }
  }
  EXPECT_GE(same, decisions * 97 / 100) << same << " of " << decisions << " decisions agree";
  EXPECT_LE(worst, 0.2) << "largest probability difference from float32";
  EXPECT_GT(worst, 0.0) << "bfloat16 rounding should show: was the model cast at all?";
}

TEST_F(ServerTest, EmptyAndNonUtf8ReportsFailAloneInAUnaryCall) {
  std::vector<v1::Report> reports = ReadSamples(2);
  v1::Report empty, binary;
  empty.set_id("empty");
  binary.set_id("binary");
  binary.set_text("FINDINGS: \xff\xfe\x00 mass");
  reports.insert(reports.begin() + 1, {empty, binary});
  auto results = client_->Label(reports);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 4u);
  EXPECT_EQ((*results)[0].status().code(), 0);
  EXPECT_EQ((*results)[0].labels_size(), 8);
  EXPECT_EQ((*results)[1].id(), "empty");
  EXPECT_EQ((*results)[1].status().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ((*results)[2].status().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_NE((*results)[2].status().message().find("UTF-8"), std::string::npos);
  EXPECT_TRUE((*results)[2].labels().empty());
  EXPECT_EQ((*results)[3].status().code(), 0);
}

TEST_F(ServerTest, ConcurrentCallsEndOnTheWaitingThreadByTagAndCancelCleanly) {
  const std::vector<v1::Report> reports = ReadSamples(12);
  Client::Calls calls(*client_);
  // Nothing in flight: a finite deadline is waited out, an infinite one returns at once.
  const absl::Time deadline = absl::Now() + absl::Milliseconds(20);
  EXPECT_FALSE(calls.Next(deadline).has_value());
  EXPECT_GE(absl::Now(), deadline);
  EXPECT_FALSE(calls.Next().has_value());

  for (uint64_t tag = 7; tag < 10; ++tag) {
    calls.Start(RequestOf({reports.begin() + 4 * (tag - 7), reports.begin() + 4 * (tag - 6)}), tag);
  }
  EXPECT_EQ(calls.in_flight(), 3);
  absl::flat_hash_set<uint64_t> tags;
  while (std::optional<Client::Calls::Ended> ended = calls.Next()) {
    ASSERT_TRUE(ended->results.ok()) << ended->results.status();
    ASSERT_EQ(ended->results->size(), 4u);
    EXPECT_EQ((*ended->results)[0].id(), reports[4 * (ended->tag - 7)].id());
    tags.insert(ended->tag);
  }
  EXPECT_EQ(tags, (absl::flat_hash_set<uint64_t>{7, 8, 9}));

  // Cancelled calls still end, each once, through Next.
  for (uint64_t tag = 0; tag < 8; ++tag) calls.Start(RequestOf(reports), tag);
  calls.CancelAll();
  int ended_calls = 0;
  while (std::optional<Client::Calls::Ended> ended = calls.Next()) {
    ++ended_calls;
    if (!ended->results.ok()) {
      EXPECT_EQ(ended->results.status().code(), absl::StatusCode::kCancelled);
    }
  }
  EXPECT_EQ(ended_calls, 8);

  // Calls left in flight are cancelled and awaited by the destructor (ASan checks the rest).
  auto abandoned = std::make_unique<Client::Calls>(*client_);
  for (uint64_t tag = 0; tag < 8; ++tag) abandoned->Start(RequestOf(reports), tag);
  abandoned.reset();
  EXPECT_TRUE(client_->Label(reports).ok());
}

TEST_F(ServerTest, TooManyReportsInOneRequestIsRejected) {
  auto info = client_->GetModelInfo();
  ASSERT_TRUE(info.ok());
  std::vector<v1::Report> reports(static_cast<size_t>(info->limits().max_reports_per_request() + 1));
  auto results = client_->Label(reports);
  EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->Label({}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ServerTest, ModelInfoDescribesTheBundle) {
  auto info = client_->GetModelInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name(), "radlabel-head-mri-default");
  EXPECT_EQ(info->checksum().size(), 64u);
  ASSERT_EQ(info->labels_size(), 8);
  EXPECT_EQ(info->labels(7).name(), "encephalomalacia");
  EXPECT_EQ(info->classes_size(), 3);
  EXPECT_GT(info->max_tokens(), 2);
  EXPECT_GT(info->limits().max_batch_size(), 0);
}

// A client sizes its requests by ModelInfo.limits: each must be the limit the server runs with.
// The per-request limits are checked against the server here; the queue's token bound is
// enforced by BatchQueue (batch_queue_test).
TEST(ServerLimitsTest, ModelInfoReportsTheLimitsTheServerEnforces) {
  auto server = ServerProcess::Start({"--max_report_bytes=3000", "--max_message_bytes=20000",
                                      "--max_queue_tokens=100000", "--max_reports_per_request=50"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto client = Client::Connect((*server)->target());
  ASSERT_TRUE(client.ok()) << client.status();
  auto info = (*client)->GetModelInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  const v1::ServerLimits& limits = info->limits();
  EXPECT_EQ(limits.max_report_bytes(), 3000);
  EXPECT_EQ(limits.max_message_bytes(), 20000);
  EXPECT_EQ(limits.max_queue_tokens(), 100000);
  EXPECT_EQ(limits.max_reports_per_request(), 50);

  v1::Report at_limit, over_limit;
  at_limit.set_id("at");
  at_limit.set_text(std::string(limits.max_report_bytes(), 'a'));
  over_limit.set_id("over");
  over_limit.set_text(std::string(limits.max_report_bytes() + 1, 'a'));
  auto results = (*client)->Label({at_limit, over_limit});
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].status().code(), 0) << (*results)[0].status().message();
  EXPECT_EQ((*results)[1].status().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));

  // Ten reports within their own limit make a message over max_message_bytes.
  std::vector<v1::Report> too_big(10, at_limit);
  for (size_t i = 0; i < too_big.size(); ++i) too_big[i].set_id(absl::StrCat("r", i));
  EXPECT_EQ((*client)->Label(too_big).status().code(), absl::StatusCode::kResourceExhausted);
}

// Reports whose supporting sentences are known: the evidence of each positive label must be one
// of them, quoted exactly by its code point offsets; without the flag no evidence is sent.
TEST_F(ServerTest, EvidenceQuotesAKnownSupportingSentence) {
  struct Case {
    std::string text;
    std::string label;
    std::vector<std::string> supporting;
  };
  const std::vector<Case> cases = {
      {"CLINICAL DETAILS: Headache.\nFINDINGS: The ventricles are normal in size. There is a 3 cm "
       "enhancing mass in the left frontal lobe with surrounding oedema. No acute infarct. The "
       "orbits are unremarkable.\nCONCLUSION: Left frontal mass in keeping with a high grade glioma.",
       "mass",
       {"There is a 3 cm enhancing mass in the left frontal lobe with surrounding oedema.",
        "CONCLUSION: Left frontal mass in keeping with a high grade glioma."}},
      {"Clinical details: Sudden left sided weakness, caf\xc3\xa9 au lait spots.\nFindings: Normal flow "
       "voids. Restricted diffusion in the right MCA territory in keeping with acute infarction. "
       "No haemorrhage. The pituitary gland is unremarkable.\nImpression: Acute right MCA infarct.",
       "acute_stroke",
       {"Restricted diffusion in the right MCA territory in keeping with acute infarction.",
        "Impression: Acute right MCA infarct."}},
  };
  ClientOptions options;
  options.include_evidence = true;
  auto client = Client::Connect(server_->target(), options);
  ASSERT_TRUE(client.ok()) << client.status();
  auto info = (*client)->GetModelInfo();
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(info->supports_evidence());
  for (const Case& c : cases) {
    v1::Report report;
    report.set_id("evidence");
    report.set_text(c.text);
    auto results = (*client)->Label({report});
    ASSERT_TRUE(results.ok()) << results.status();
    const v1::ReportResult& result = (*results)[0];
    ASSERT_EQ(result.status().code(), 0);
    for (const v1::LabelResult& label : result.labels()) {
      EXPECT_EQ(label.has_evidence(), label.decision() != "negative") << label.name();
      if (label.name() != c.label) continue;
      EXPECT_EQ(label.decision(), "positive") << c.label;
      const std::string quoted(CodePointSubstr(c.text, label.evidence().start(), label.evidence().end()));
      EXPECT_NE(std::find(c.supporting.begin(), c.supporting.end(), quoted), c.supporting.end())
          << c.label << " evidence: '" << quoted << "'";
      EXPECT_GT(label.evidence().weight(), 0.0f);
    }
    auto plain = client_->Label({report});
    ASSERT_TRUE(plain.ok());
    for (const v1::LabelResult& label : (*plain)[0].labels()) EXPECT_FALSE(label.has_evidence());
  }
}

TEST_F(ServerTest, HealthCheckingAndReflectionAreOn) {
  auto channel = grpc::CreateChannel(server_->target(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (const char* service : {"", "radlabel.v1.Labeller"}) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << "'" << service << "': " << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }

  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext context;
  auto stream = reflection->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> services;
  for (const auto& s : response.list_services_response().service()) services.push_back(s.name());
  EXPECT_NE(std::find(services.begin(), services.end(), "radlabel.v1.Labeller"), services.end());
  EXPECT_TRUE(stream->Finish().ok());
}

// A separate server: SIGTERM arrives in the middle of a stream. New calls are then refused with
// UNAVAILABLE (clients with a retry policy take them to another replica); the stream's messages
// already started are answered, the first one read after the signal is answered UNAVAILABLE
// report by report, and the stream ends UNAVAILABLE: every report after the last answered one
// goes to another replica (the CLI's --resume). The server exits 0. The grace is far beyond the
// work in flight: what is tested is that the work finishes, also in slow (sanitizer) builds.
TEST(ShutdownTest, SigtermRefusesNewWorkFinishesWhatStartedAndExitsZero) {
  auto server = ServerProcess::Start({"--shutdown_grace=600s"});
  ASSERT_TRUE(server.ok()) << server.status();
  ClientOptions once;
  once.max_attempts = 1;
  auto client = Client::Connect((*server)->target());
  auto prober = Client::Connect((*server)->target(), once);
  ASSERT_TRUE(client.ok() && prober.ok());
  const std::vector<v1::Report> reports = ReadSamples(600);
  size_t next = 0, received = 0, refused_reports = 0;
  std::atomic<bool> refused{false};
  std::thread probe;
  StreamOptions options;
  options.reports_per_message = 8;
  options.max_reports_in_flight = 64;
  const absl::Status streamed = (*client)->LabelStream(
      [&]() -> absl::StatusOr<std::optional<v1::Report>> {
        if (next == reports.size()) return std::nullopt;
        return reports[next++];
      },
      [&](v1::ReportResult result) {
        EXPECT_EQ(result.id(), reports[received].id());
        if (result.status().code() != 0) {
          EXPECT_EQ(result.status().code(), static_cast<int>(absl::StatusCode::kUnavailable))
              << result.id() << ": " << result.status().message();
          EXPECT_GE(received, 100u) << "refused before the signal";
          ++refused_reports;
        } else {
          EXPECT_EQ(refused_reports, 0u) << result.id() << " labelled after a refused message";
        }
        if (++received == 100) {  // mid-stream, with work in flight
          (*server)->Signal(SIGTERM);
          probe = std::thread([&] {  // new calls until one is refused (at most 60 s)
            const absl::Time give_up = absl::Now() + absl::Seconds(60);
            while (!refused && absl::Now() < give_up) {
              refused = (*prober)->GetModelInfo().status().code() == absl::StatusCode::kUnavailable;
            }
          });
        }
        return absl::OkStatus();
      },
      options);
  if (probe.joinable()) probe.join();
  EXPECT_TRUE(refused) << "no new call was refused during the drain";
  EXPECT_EQ(streamed.code(), absl::StatusCode::kUnavailable) << streamed;
  EXPECT_GE(received, 100u);
  EXPECT_LT(received, reports.size()) << "the stream's messages after SIGTERM were still read";
  EXPECT_LE(refused_reports, static_cast<size_t>(options.reports_per_message));
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->output();
  EXPECT_NE((*server)->output().find("draining"), std::string::npos);
}

// Under load (streams that never stop sending long reports), SIGTERM ends the process well
// within --shutdown_grace: the streams stop reading and finish once their started work is
// answered, so the drain does not wait for the grace to run out.
TEST(ShutdownTest, UnderLoadTheDrainEndsWithTheWorkStartedNotWithItsGrace) {
  constexpr absl::Duration kGrace = absl::Seconds(30);
  auto server = ServerProcess::Start({"--shutdown_grace=30s"});
  ASSERT_TRUE(server.ok()) << server.status();
  std::string text = "FINDINGS:";
  for (int i = 0; i < 60; ++i) text += " The ventricles and sulci are normal for age.";
  std::atomic<int64_t> answered{0};
  std::vector<std::thread> streams;
  for (int s = 0; s < 4; ++s) {
    streams.emplace_back([&, s] {
      auto client = Client::Connect((*server)->target());
      if (!client.ok()) return;
      int64_t n = 0;
      StreamOptions options;
      options.reports_per_message = 4;
      options.max_reports_in_flight = 8;  // little work started: the drain is short unless it waits
      // Ends when the server refuses or goes away; its status is not the point here.
      (void)(*client)->LabelStream(
          [&]() -> absl::StatusOr<std::optional<v1::Report>> {
            v1::Report report;
            report.set_id(absl::StrCat("s", s, "-", n++));
            report.set_text(text);
            return report;
          },
          [&](v1::ReportResult) {
            ++answered;
            return absl::OkStatus();
          },
          options);
    });
  }
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (answered < 50 && absl::Now() < give_up) {
  }
  ASSERT_GE(answered, 50) << "the load never started";
  const absl::Time signalled = absl::Now();
  EXPECT_EQ((*server)->Stop(SIGTERM), 0) << (*server)->output();
  const absl::Duration drain = absl::Now() - signalled;
  EXPECT_LT(drain, kGrace) << "the drain waited for its grace to run out";
  std::cout << "drained in " << drain << " (grace " << kGrace << ")\n";
  for (std::thread& t : streams) t.join();
}

}  // namespace
}  // namespace radlabel::testing
