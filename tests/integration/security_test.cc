// Transport security and authentication of a real server: TLS, mutual TLS and a bearer token.
// Certificates are made at test time with openssl: a test CA, a server certificate for
// 127.0.0.1 and a client certificate it signed, and a second CA nobody trusts.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <httplib.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection_subset.grpc.pb.h"
#include "integration/server_process.h"
#include "radlabel/client.h"

namespace radlabel::testing {
namespace {

namespace fs = std::filesystem;

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("radlabel_tls_" + std::to_string(getpid())));
    fs::create_directories(*dir_);
    const std::string script = R"(set -e
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
key ca.key; openssl req -x509 -new -key ca.key -out ca.pem -days 1 -subj "/CN=radlabel test CA"
key other_ca.key; openssl req -x509 -new -key other_ca.key -out other_ca.pem -days 1 -subj "/CN=untrusted CA"
printf "subjectAltName=IP:127.0.0.1\n" > server.ext
key server.key; openssl req -new -key server.key -out server.csr -subj "/CN=radlabel-server"
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile server.ext 2>/dev/null
key client.key; openssl req -new -key client.key -out client.csr -subj "/CN=pipeline"
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 1 2>/dev/null
key rogue.key; openssl req -new -key rogue.key -out rogue.csr -subj "/CN=rogue"
openssl x509 -req -in rogue.csr -CA other_ca.pem -CAkey other_ca.key -CAcreateserial -out rogue.pem -days 1 2>/dev/null
printf "s3cret-token\n" > token
)";
    const ProcessResult made = RunProcess({"/bin/sh", "-c", "cd " + dir_->string() + " && " + script});
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string File(const std::string& name) { return (*dir_ / name).string(); }

  // OK, or the code of the first failure: connecting, then GetModelInfo and a one-report Label.
  // A refused TLS handshake shows only as a connection that never becomes ready within
  // `connect_timeout`: calls expected to be refused there pass kRefusedWithin, so that the test
  // waits less, while calls expected to connect keep the client's default, so that a loaded CI
  // machine has time to connect them.
  static absl::StatusCode Call(const std::string& target, ClientOptions options,
                               absl::Duration connect_timeout = ClientOptions().connect_timeout) {
    options.connect_timeout = connect_timeout;
    options.max_attempts = 1;
    auto client = Client::Connect(target, options);
    if (!client.ok()) return client.status().code();
    if (auto info = (*client)->GetModelInfo(); !info.ok()) return info.status().code();
    v1::Report report;
    report.set_id("r1");
    report.set_text("Acute infarct.");
    auto results = (*client)->Label({report});
    return results.ok() ? absl::StatusCode::kOk : results.status().code();
  }

  static constexpr absl::Duration kRefusedWithin = absl::Seconds(3);
  static fs::path* dir_;
};
fs::path* SecurityTest::dir_ = nullptr;

TEST_F(SecurityTest, TlsServesClientsThatTrustItsCaOnly) {
  auto server = ServerProcess::Start({"--tls_cert=" + File("server.pem"), "--tls_key=" + File("server.key")});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string target = (*server)->target();
  ClientOptions trusted;
  trusted.tls_ca_file = File("ca.pem");
  EXPECT_EQ(Call(target, trusted), absl::StatusCode::kOk);
  EXPECT_EQ(Call(target, ClientOptions{}, kRefusedWithin), absl::StatusCode::kUnavailable)
      << "plaintext got in";
  ClientOptions wrong_ca;
  wrong_ca.tls_ca_file = File("other_ca.pem");
  EXPECT_EQ(Call(target, wrong_ca, kRefusedWithin), absl::StatusCode::kUnavailable)
      << "an unknown CA was trusted";
}

TEST_F(SecurityTest, MutualTlsServesClientsWithACertificateItsCaSigned) {
  auto server = ServerProcess::Start({"--tls_cert=" + File("server.pem"), "--tls_key=" + File("server.key"),
                                      "--tls_client_ca=" + File("ca.pem")});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string target = (*server)->target();
  ClientOptions with_cert;
  with_cert.tls_ca_file = File("ca.pem");
  with_cert.tls_cert_file = File("client.pem");
  with_cert.tls_key_file = File("client.key");
  EXPECT_EQ(Call(target, with_cert), absl::StatusCode::kOk);
  ClientOptions no_cert;
  no_cert.tls_ca_file = File("ca.pem");
  EXPECT_EQ(Call(target, no_cert, kRefusedWithin), absl::StatusCode::kUnavailable)
      << "no client certificate got in";
  ClientOptions rogue = with_cert;
  rogue.tls_cert_file = File("rogue.pem");
  rogue.tls_key_file = File("rogue.key");
  EXPECT_EQ(Call(target, rogue, kRefusedWithin), absl::StatusCode::kUnavailable)
      << "a certificate of an unknown CA got in";
}

TEST_F(SecurityTest, ATokenGuardsEveryLabellerCallButNotHealthProbes) {
  auto server = ServerProcess::Start({"--auth_token_file=" + File("token")});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string target = (*server)->target();
  ClientOptions right;
  right.auth_token = "s3cret-token";
  EXPECT_EQ(Call(target, right), absl::StatusCode::kOk);
  EXPECT_EQ(Call(target, ClientOptions{}), absl::StatusCode::kUnauthenticated);
  ClientOptions wrong;
  wrong.auth_token = "s3cret-tokeN";
  EXPECT_EQ(Call(target, wrong), absl::StatusCode::kUnauthenticated);

  // Streams too.
  auto client = Client::Connect(target);
  ASSERT_TRUE(client.ok());
  bool sent = false;
  const absl::Status streamed = (*client)->LabelStream(
      [&]() -> absl::StatusOr<std::optional<v1::Report>> {
        if (sent) return std::nullopt;
        sent = true;
        v1::Report report;
        report.set_id("s1");
        report.set_text("Normal study.");
        return report;
      },
      [](v1::ReportResult) { return absl::OkStatus(); });
  EXPECT_EQ(streamed.code(), absl::StatusCode::kUnauthenticated) << streamed;

  // Probes send no token and still get an answer.
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(SecurityTest, HalfATlsSetupIsRefusedAtStartUp) {
  auto server = ServerProcess::Start({"--tls_cert=" + File("server.pem")});
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("TLS needs both --tls_cert and --tls_key"), std::string::npos)
      << server.status();
}

// A certificate with another's key, or files swapped, are named as such at start-up (they
// used to surface as "cannot listen ... whether the port is in use").
TEST_F(SecurityTest, AKeyThatIsNotTheCertificatesOrSwappedFilesAreNamedAtStartUp) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--tls_cert=" + File("server.pem"), "--tls_key=" + File("client.key")},
       "is not the private key of the certificate in --tls_cert"},
      {{"--tls_cert=" + File("server.key"), "--tls_key=" + File("server.pem")},
       "holds no PEM certificate"},
      {{"--tls_cert=" + File("server.pem"), "--tls_key=" + File("server.pem")},
       "holds no unencrypted PEM private key"},
      {{"--tls_cert=" + File("server.pem"), "--tls_key=" + File("server.key"),
        "--tls_client_ca=" + File("ca.key")},
       "--tls_client_ca"},
  };
  for (const auto& [args, says] : cases) {
    auto server = ServerProcess::Start(args);
    ASSERT_FALSE(server.ok()) << args[1];
    EXPECT_NE(server.status().message().find(says), std::string::npos) << server.status();
    EXPECT_EQ(server.status().message().find("port is in use"), std::string::npos) << server.status();
  }
}

// The code a server-reflection request to list the services ends with.
grpc::StatusCode ListServices(const std::string& target) {
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  auto stream = reflection->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  stream->Write(request);
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  while (stream->Read(&response)) {
  }
  return stream->Finish().error_code();
}

TEST_F(SecurityTest, BehindATokenReflectionIsOffUnlessAskedForExplicitly) {
  auto guarded = ServerProcess::Start({"--auth_token_file=" + File("token")});
  ASSERT_TRUE(guarded.ok()) << guarded.status();
  EXPECT_EQ(ListServices((*guarded)->target()), grpc::StatusCode::UNIMPLEMENTED);
  auto open = ServerProcess::Start({"--auth_token_file=" + File("token"), "--reflection=on"});
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(ListServices((*open)->target()), grpc::StatusCode::OK);
}

TEST_F(SecurityTest, WithTlsTheMetricsAreServedOverHttpsOnly) {
  auto server = ServerProcess::Start({"--tls_cert=" + File("server.pem"),
                                      "--tls_key=" + File("server.key"),
                                      "--tls_client_ca=" + File("ca.pem")});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string& address = (*server)->metrics_address();
  const std::string host = address.substr(0, address.rfind(':'));
  const int port = std::stoi(address.substr(address.rfind(':') + 1));

  httplib::Client plain(host, port);
  plain.set_connection_timeout(5);
  plain.set_read_timeout(5);
  const auto refused = plain.Get("/metrics");
  EXPECT_TRUE(!refused || refused->status != 200) << "metrics answered in plaintext";

  // A scraper needs the CA only, no client certificate, even when gRPC asks for one.
  httplib::SSLClient https(host, port);
  https.set_ca_cert_path(File("ca.pem").c_str());
  https.enable_server_certificate_verification(true);
  const auto scraped = https.Get("/metrics");
  ASSERT_TRUE(scraped) << httplib::to_string(scraped.error());
  EXPECT_EQ(scraped->status, 200);
  EXPECT_NE(scraped->body.find("radlabel_requests_total"), std::string::npos);
}

}  // namespace
}  // namespace radlabel::testing
