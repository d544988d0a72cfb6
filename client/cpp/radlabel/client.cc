#include "radlabel/client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <deque>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "common/file_contents.h"

namespace radlabel {
namespace {

absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

std::chrono::system_clock::time_point DeadlineAfter(absl::Duration timeout) {
  return absl::ToChronoTime(absl::Now() + timeout);
}

// The channel's service config. round_robin: a target that resolves to several servers (a
// headless Kubernetes Service, an ipv4: list) gets calls spread over all of them, not pinned to
// the first. Retries: gRPC's own policy, which adds jitter, honours the server's
// grpc-retry-pushback-ms, and makes each attempt a new pick, so that a failed server's calls go
// to the others.
std::string ServiceConfig(const ClientOptions& options) {
  std::string retry;
  if (options.max_attempts > 1) {
    retry = absl::StrFormat(
        R"(, "methodConfig": [{"name": [{"service": "radlabel.v1.Labeller"}], "retryPolicy": {)"
        R"("maxAttempts": %d, "initialBackoff": "%.3fs", "maxBackoff": "%.3fs", )"
        R"("backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE", "RESOURCE_EXHAUSTED"]}}])",
        options.max_attempts, absl::ToDoubleSeconds(options.retry_initial_backoff),
        absl::ToDoubleSeconds(options.retry_max_backoff));
  }
  return absl::StrCat(R"({"loadBalancingConfig": [{"round_robin": {}}])", retry, "}");
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const ClientOptions& options) {
  if (options.tls_ca_file.empty()) {
    if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
      return absl::InvalidArgumentError(
          "a client certificate needs TLS: give the CA that signed the server's certificate too");
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions ssl;
  auto ca = ReadFileContents(options.tls_ca_file, "TLS CA");
  if (!ca.ok()) return ca.status();
  ssl.pem_root_certs = *std::move(ca);
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    auto cert = ReadFileContents(options.tls_cert_file, "client certificate");
    if (!cert.ok()) return cert.status();
    auto key = ReadFileContents(options.tls_key_file, "client key");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(const std::string& target,
                                                        const ClientOptions& options) {
  if (options.max_attempts < 1 || options.max_attempts > 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_attempts is ", options.max_attempts, "; choose 1 (no retries) to 5 (gRPC's cap)"));
  }
  if (options.retry_initial_backoff <= absl::ZeroDuration() ||
      options.retry_max_backoff < options.retry_initial_backoff) {
    return absl::InvalidArgumentError(
        "retry backoffs must be positive, the maximum at least the initial one");
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  args.SetMaxSendMessageSize(options.max_message_bytes);
  args.SetServiceConfigJSON(ServiceConfig(options));
  // gRPC retries only requests it still holds; hold any request up to the message limit.
  if (options.max_attempts > 1) args.SetInt(GRPC_ARG_PER_RPC_RETRY_BUFFER_SIZE, options.max_message_bytes);
  auto credentials = ChannelCredentials(options);
  if (!credentials.ok()) return credentials.status();
  auto channel = grpc::CreateCustomChannel(target, *credentials, args);
  if (!channel->WaitForConnected(DeadlineAfter(options.connect_timeout))) {
    return absl::UnavailableError(absl::StrCat(
        "cannot reach radlabel-server at ", target, " within ",
        absl::FormatDuration(options.connect_timeout),
        "; check that it is running and the address is right"));
  }
  return std::unique_ptr<Client>(new Client(std::move(channel), options));
}

Client::Client(std::shared_ptr<grpc::Channel> channel, const ClientOptions& options)
    : options_(options), channel_(std::move(channel)), stub_(v1::Labeller::NewStub(channel_)) {}

void Client::Prepare(grpc::ClientContext& context, bool unary) const {
  if (unary) context.set_deadline(DeadlineAfter(options_.call_timeout));
  if (!options_.auth_token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", options_.auth_token));
  }
}

absl::StatusOr<v1::ModelInfo> Client::GetModelInfo() {
  grpc::ClientContext context;
  Prepare(context, /*unary=*/true);
  v1::ModelInfo info;
  const grpc::Status status = stub_->GetModelInfo(&context, v1::GetModelInfoRequest(), &info);
  if (!status.ok()) return FromGrpcStatus(status, "GetModelInfo failed");
  return info;
}

absl::StatusOr<std::vector<v1::ReportResult>> Client::Label(const std::vector<v1::Report>& reports) {
  grpc::ClientContext context;
  Prepare(context, /*unary=*/true);
  v1::LabelRequest request;
  request.mutable_reports()->Add(reports.begin(), reports.end());
  request.set_include_evidence(options_.include_evidence);
  v1::LabelResponse response;
  const grpc::Status status = stub_->Label(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status, "Label failed");
  return std::vector<v1::ReportResult>(std::make_move_iterator(response.mutable_results()->begin()),
                                       std::make_move_iterator(response.mutable_results()->end()));
}

struct Client::Calls::Call {
  uint64_t tag = 0;
  grpc::ClientContext context;
  v1::LabelResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::LabelResponse>> reader;
};

Client::Calls::Calls(Client& client) : client_(client) {}

Client::Calls::~Calls() {
  CancelAll();
  while (Next().has_value()) {
  }
  queue_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
  }
}

void Client::Calls::Start(v1::LabelRequest request, uint64_t tag) {
  request.set_include_evidence(client_.options_.include_evidence);
  auto call = std::make_unique<Call>();
  call->tag = tag;
  client_.Prepare(call->context, /*unary=*/true);
  call->reader = client_.stub_->PrepareAsyncLabel(&call->context, request, &queue_);
  call->reader->StartCall();
  call->reader->Finish(&call->response, &call->status, call.get());
  in_flight_.push_back(std::move(call));
}

std::optional<Client::Calls::Ended> Client::Calls::Next(absl::Time deadline) {
  if (in_flight_.empty() && deadline == absl::InfiniteFuture()) return std::nullopt;
  void* tag = nullptr;
  bool ok = false;
  // Never SHUTDOWN: the queue is shut down only by the destructor, after the last call ended.
  if (queue_.AsyncNext(&tag, &ok, absl::ToChronoTime(deadline)) !=
      grpc::CompletionQueue::GOT_EVENT) {
    return std::nullopt;
  }
  const auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                               [tag](const std::unique_ptr<Call>& call) { return call.get() == tag; });
  const std::unique_ptr<Call> call = std::move(*it);
  in_flight_.erase(it);
  if (!call->status.ok()) return Ended{call->tag, FromGrpcStatus(call->status, "Label failed")};
  auto& results = *call->response.mutable_results();
  return Ended{call->tag, std::vector<v1::ReportResult>(std::make_move_iterator(results.begin()),
                                                        std::make_move_iterator(results.end()))};
}

void Client::Calls::CancelAll() {
  for (const std::unique_ptr<Call>& call : in_flight_) call->context.TryCancel();
}

namespace {

absl::Status ValidateStreamOptions(const StreamOptions& options) {
  if (options.reports_per_message < 1 || options.max_reports_in_flight < options.reports_per_message) {
    return absl::InvalidArgumentError(
        "StreamOptions: reports_per_message must be >= 1 and <= max_reports_in_flight");
  }
  return absl::OkStatus();
}

// Moves up to `count` reports from `next` into one request. Fewer than `count` (none at all,
// possibly) means `next` has no more.
absl::StatusOr<v1::LabelRequest> NextRequest(const Client::ReportSource& next, int count,
                                             bool include_evidence) {
  v1::LabelRequest request;
  request.set_include_evidence(include_evidence);
  while (request.reports_size() < count) {
    absl::StatusOr<std::optional<v1::Report>> report = next();
    if (!report.ok()) return report.status();
    if (!report->has_value()) break;
    *request.add_reports() = std::move(**report);
  }
  return request;
}

}  // namespace

absl::Status Client::LabelStream(const ReportSource& next, const ResultSink& sink,
                                 const StreamOptions& options) {
  if (absl::Status valid = ValidateStreamOptions(options); !valid.ok()) return valid;
  grpc::ClientContext context;
  Prepare(context, /*unary=*/false);
  std::unique_ptr<grpc::ClientReaderWriter<v1::LabelRequest, v1::LabelResponse>> stream =
      stub_->LabelStream(&context);

  absl::Mutex mu;
  int64_t in_flight = 0;  // guarded by mu
  int64_t sent = 0;       // guarded by mu
  bool aborted = false;   // guarded by mu: the reader stopped, the writer must too
  absl::Status source_status;  // written by the writer thread, read after join

  std::thread writer([&] {
    while (true) {
      absl::StatusOr<v1::LabelRequest> request =
          NextRequest(next, options.reports_per_message, options_.include_evidence);
      if (!request.ok()) {
        source_status = request.status();
        context.TryCancel();
        return;
      }
      const int n = request->reports_size();
      if (n == 0) break;
      {
        absl::MutexLock lock(&mu);
        const auto may_send = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
          return aborted || in_flight + n <= options.max_reports_in_flight;
        };
        mu.Await(absl::Condition(&may_send));
        if (aborted) return;
        in_flight += n;
        sent += n;
      }
      if (!stream->Write(*request)) return;  // the call is over; Finish says why
      if (n < options.reports_per_message) break;
    }
    stream->WritesDone();
  });

  absl::Status sink_status;
  int64_t received = 0;
  v1::LabelResponse response;
  while (stream->Read(&response)) {
    for (v1::ReportResult& result : *response.mutable_results()) {
      if (sink_status.ok()) {
        sink_status = sink(std::move(result));
        if (!sink_status.ok()) context.TryCancel();
      }
    }
    received += response.results_size();
    absl::MutexLock lock(&mu);
    in_flight -= response.results_size();
  }
  {
    absl::MutexLock lock(&mu);
    aborted = true;
  }
  writer.join();
  const grpc::Status status = stream->Finish();
  if (!source_status.ok()) return source_status;
  if (!sink_status.ok()) return sink_status;
  if (!status.ok()) return FromGrpcStatus(status, "LabelStream failed");
  if (received != sent) {
    return absl::DataLossError(absl::StrCat("LabelStream ended with ", received, " of ", sent,
                                            " reports answered; resend the missing ones"));
  }
  return absl::OkStatus();
}

absl::Status Client::LabelPipelined(const ReportSource& next, const ResultSink& sink,
                                    const StreamOptions& options) {
  if (absl::Status valid = ValidateStreamOptions(options); !valid.ok()) return valid;
  // Calls wait in send order; the oldest goes to the sink once it has ended. A call's reports
  // stay in flight until the sink has them: answers that overtook a slow call wait here, and
  // counting them keeps that memory within the bound.
  struct Sent {
    int reports;
    std::string span;  // "first id .. last id", for errors
    std::optional<absl::StatusOr<std::vector<v1::ReportResult>>> results;  // once it has ended
  };
  Calls calls(*this);
  std::deque<Sent> sent;
  uint64_t first_tag = 0;  // the tag of sent.front(); tags count up in send order
  int64_t reports_in_flight = 0;
  bool sending = true;
  absl::Status error;
  while (true) {
    while (sending && error.ok() &&
           reports_in_flight + options.reports_per_message <= options.max_reports_in_flight) {
      absl::StatusOr<v1::LabelRequest> request =
          NextRequest(next, options.reports_per_message, options_.include_evidence);
      if (!request.ok()) error = request.status();
      if (!request.ok() || request->reports_size() < options.reports_per_message) sending = false;
      if (!request.ok() || request->reports_size() == 0) break;
      const int n = request->reports_size();
      sent.push_back({n, absl::StrCat(request->reports(0).id(), " .. ", request->reports(n - 1).id()),
                      std::nullopt});
      calls.Start(*std::move(request), first_tag + sent.size() - 1);
      reports_in_flight += n;
    }
    if (!error.ok()) break;  // ~Calls cancels the calls still running and waits for them
    if (sent.empty()) break;
    if (!sent.front().results.has_value()) {
      std::optional<Calls::Ended> ended = calls.Next();
      sent[ended->tag - first_tag].results = std::move(ended->results);
      continue;
    }
    Sent oldest = std::move(sent.front());
    sent.pop_front();
    ++first_tag;
    reports_in_flight -= oldest.reports;
    if (!oldest.results->ok()) {
      const absl::Status& failed = oldest.results->status();
      return absl::Status(failed.code(),
                          absl::StrCat(failed.message(), " (reports ", oldest.span, ")"));
    }
    for (v1::ReportResult& result : **oldest.results) {
      if (error = sink(std::move(result)); !error.ok()) break;
    }
  }
  return error;
}

}  // namespace radlabel
