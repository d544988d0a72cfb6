// radlabel::Client: the thin C++ client of radlabel.v1.Labeller.
//
//   auto client = radlabel::Client::Connect("localhost:50051");
//   auto results = (*client)->Label(reports);            // one call, up to the server's limit
//   (*client)->LabelStream(next_report, on_result);     // any number, bounded in flight
//   (*client)->LabelPipelined(next_report, on_result);  // the same over several servers
//
// Errors come back as absl::Status with the gRPC code of the failure. A report that the server
// could not label is not an error of the call: its ReportResult.status says why.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "radlabel/v1/labeller.grpc.pb.h"

namespace radlabel {

struct ClientOptions {
  // How long Connect waits for the server to accept a connection. Default 10 s.
  absl::Duration connect_timeout = absl::Seconds(10);
  // Deadline of each unary call (Label, GetModelInfo). Default 5 min.
  absl::Duration call_timeout = absl::Minutes(5);
  // Largest message received, in bytes. Default 64 MiB.
  int max_message_bytes = 64 << 20;
  // Ask for evidence (LabelResult.evidence: the sentence supporting each non-negative label) in
  // every request. Default off.
  bool include_evidence = false;
  // Calls that fail with UNAVAILABLE (server restarting, draining, unreachable) or
  // RESOURCE_EXHAUSTED (its queue full) are tried again, at most this many attempts in all,
  // within the call's deadline; 1 turns retrying off. Range 1..5 (gRPC's cap); default 5. Waits
  // follow gRPC's retry policy: exponential backoff with jitter from retry_initial_backoff
  // (default 100 ms) up to retry_max_backoff (default 5 s), or the server's
  // grpc-retry-pushback-ms when it sends one. A LabelStream is retried only until its first
  // response arrives.
  int max_attempts = 5;
  absl::Duration retry_initial_backoff = absl::Milliseconds(100);
  absl::Duration retry_max_backoff = absl::Seconds(5);
  // TLS: a PEM CA bundle that signed the server's certificate. Empty (default): plaintext.
  std::string tls_ca_file;
  // Mutual TLS: this client's PEM certificate chain and private key (needs tls_ca_file).
  std::string tls_cert_file;
  std::string tls_key_file;
  // Sent with every call as "authorization: Bearer <auth_token>" when not empty.
  std::string auth_token;
};

struct StreamOptions {
  // Reports per stream message: fewer, larger messages cost less per report. Range 1..the
  // server's max_reports_per_request; default 32.
  int reports_per_message = 32;
  // Most reports sent and not yet answered; bounds client memory and server queueing. Range
  // >= reports_per_message; default 1024.
  int max_reports_in_flight = 1024;
};

class Client {
 public:
  // Connects to `target` (a gRPC target: host:port, dns:///host:port, ipv4:a:p,b:p) and waits
  // until the server is reachable, at most options.connect_timeout.
  static absl::StatusOr<std::unique_ptr<Client>> Connect(const std::string& target,
                                                         const ClientOptions& options = {});

  absl::StatusOr<v1::ModelInfo> GetModelInfo();

  // Labels reports in one unary call: one result per report, in order.
  absl::StatusOr<std::vector<v1::ReportResult>> Label(const std::vector<v1::Report>& reports);

  // Concurrent unary Label calls that complete on the thread that waits for them: no gRPC thread
  // runs caller code, and nothing of a call outlives this object (its destructor cancels the
  // calls still in flight and waits for them). For open-loop load and callers with their own
  // event loop; LabelPipelined is built on it. Not thread-safe: one thread starts and collects.
  // The Client must outlive it.
  class Calls {
   public:
    explicit Calls(Client& client);
    ~Calls();
    Calls(const Calls&) = delete;
    Calls& operator=(const Calls&) = delete;

    struct Ended {
      uint64_t tag;  // as given to Start
      absl::StatusOr<std::vector<v1::ReportResult>> results;
    };
    // Starts one Label call of `request` (include_evidence as ClientOptions says) and returns
    // at once.
    void Start(v1::LabelRequest request, uint64_t tag);
    // The next call to end (any order), waiting at most until `deadline`; std::nullopt if the
    // deadline passed first (with no call in flight this just waits until the deadline), and at
    // once if no call is in flight and the deadline is infinite.
    std::optional<Ended> Next(absl::Time deadline = absl::InfiniteFuture());
    // Cancels every call in flight; each still ends through Next, with CANCELLED.
    void CancelAll();
    int64_t in_flight() const { return static_cast<int64_t>(in_flight_.size()); }

   private:
    struct Call;
    Client& client_;
    grpc::CompletionQueue queue_;
    std::vector<std::unique_ptr<Call>> in_flight_;
  };

  // Returns the next report, std::nullopt at the end, or an error that aborts the stream.
  using ReportSource = std::function<absl::StatusOr<std::optional<v1::Report>>()>;
  // Receives each result, in the order the reports were produced; an error aborts the stream.
  using ResultSink = std::function<absl::Status(v1::ReportResult result)>;

  // Streams every report of `next` through one LabelStream call, keeping at most
  // max_reports_in_flight unanswered. `next` is called on a writer thread, `sink` on the
  // calling thread. Returns OK once every report has been answered.
  absl::Status LabelStream(const ReportSource& next, const ResultSink& sink,
                           const StreamOptions& options = {});

  // Labels every report of `next` in concurrent unary Label calls of reports_per_message reports,
  // keeping at most max_reports_in_flight sent and not yet given to `sink` (answers that overtook
  // a slower earlier call wait within that bound); `sink` gets the results in the order the
  // reports were produced. Unlike one LabelStream, which lives on one connection to one server,
  // each call is balanced and retried on its own: with a target naming several servers the calls
  // spread over all of them, and a call whose server fails is retried on another (Label is
  // idempotent). `next` and `sink` are called on the calling thread, and every call completes
  // there too (no gRPC thread runs client code). Returns OK once every report has been answered;
  // on an error, cancels the calls already started and returns it once they have ended.
  absl::Status LabelPipelined(const ReportSource& next, const ResultSink& sink,
                              const StreamOptions& options = {});

 private:
  Client(std::shared_ptr<grpc::Channel> channel, const ClientOptions& options);
  // Sets the deadline (unary calls) and the bearer token of a call.
  void Prepare(grpc::ClientContext& context, bool unary) const;

  const ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Labeller::Stub> stub_;
};

}  // namespace radlabel
