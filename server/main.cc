// radlabel-server: parses flags and wires the parts together. Every part lives in its own file.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <limits>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "batching/batcher.h"
#include "model/allocator_tuning.h"
#include "common/status_macros.h"
#include "core/pipeline.h"
#include "http/http_endpoint.h"
#include "metrics/metrics.h"
#include "metrics/metrics_endpoint.h"
#include "model/bundle.h"
#include "model/heap_trimmer.h"
#include "model/torch_model.h"
#include "model_runtime_flags.h"
#include "service/call_log.h"
#include "service/labeller_service.h"
#include "service/transport_security.h"
#include "shutdown.h"
#include "text/tokenizer.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "Address to serve gRPC on, host:port. Port 0 picks a free port (printed at start-up).");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9464",
          "Address to serve Prometheus metrics on (GET /metrics), host:port (default loopback "
          "only: set the address a scraper reaches); port 0 picks a free one; empty disables "
          "the endpoint. HTTPS with --tls_cert/--tls_key when they are set "
          "(no client certificate asked for).");
ABSL_FLAG(std::string, http_listen, "0.0.0.0:8080",
          "Address to serve the HTTP/JSON API on (POST /v1/label, GET /v1/model, GET /healthz, "
          "GET /readyz; docs/http-api.md), host:port; port 0 picks a free one; empty disables it.");
ABSL_FLAG(int, http_threads, radlabel::HttpOptions().threads,
          "HTTP connections served at once (one thread each while open; they wait, never run "
          "the model); more wait to be accepted.");
ABSL_FLAG(std::string, bundle, RADLABEL_DEFAULT_BUNDLE,
          "Model bundle directory (model.pt, vocab.txt, labels.json, MANIFEST.sha256).");
ABSL_FLAG(int, max_reports_per_request, radlabel::ServiceOptions().max_reports_per_request,
          "Most reports in one LabelRequest (unary, or one stream message).");
ABSL_FLAG(int, max_stream_messages_in_flight,
          radlabel::ServiceOptions().max_stream_messages_in_flight,
          "Stream messages read ahead of their responses, per LabelStream call.");
ABSL_FLAG(int64_t, max_report_bytes, radlabel::ServiceOptions().max_report_bytes,
          "Longest report text accepted, in bytes; a longer report fails alone with "
          "INVALID_ARGUMENT.");
ABSL_FLAG(absl::Duration, retry_pushback, radlabel::ServiceOptions().retry_pushback,
          "Least time a client refused with RESOURCE_EXHAUSTED is told to wait before retrying "
          "(the grpc-retry-pushback-ms trailer); under load the time when room for the call is "
          "booked in the queue is sent where longer.");
ABSL_FLAG(int, max_message_bytes, radlabel::ServiceOptions().max_message_bytes,
          "Largest gRPC message accepted, in bytes.");
ABSL_FLAG(int64_t, max_request_bytes_in_flight,
          radlabel::ServiceOptions().max_request_bytes_in_flight,
          "Bytes of request messages (gRPC) and bodies (HTTP) held at once across all calls; a "
          "call whose message would not fit waits (reading nothing) until earlier ones finish. "
          "Resident memory stays under the idle size plus about twice this.");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain: serve TLS (with --tls_key).");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: require client certificates it signed (mutual TLS).");
ABSL_FLAG(std::string, auth_token_file, "",
          "File holding a bearer token every Labeller call must send as 'authorization: Bearer "
          "<token>'; the health service stays open to probes.");
ABSL_FLAG(std::string, reflection, "auto",
          "Serve gRPC server reflection, so that tools such as grpcurl can list the API: 'on', "
          "'off', or 'auto' (default): on unless --auth_token_file is set, since reflection "
          "takes no token.");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(5),
          "Connections older than this (gRPC adds +/-10% jitter) are asked to close (GOAWAY), so "
          "that long-lived clients reconnect and spread over new replicas; 'inf' never.");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::InfiniteDuration(),
          "How long calls on a connection asked to close may still run; default 'inf', so that "
          "a long LabelStream is never cut, only the next call moves.");
ABSL_FLAG(int64_t, heap_trim_threshold_bytes, radlabel::HeapTrimmerOptions().free_bytes_threshold,
          "Free heap memory above which it is given back to the system (checked every second), "
          "so that resident memory falls after a burst of large requests; 0 never gives it back.");
ABSL_FLAG(bool, log_requests, radlabel::CallLogOptions().requests,
          "Write one JSON line per answered request (method, code, reports, windows, latency; "
          "never report text) to standard output. Refused requests are counted in one summary "
          "line a minute either way.");
ABSL_FLAG(bool, log_report_ids, radlabel::CallLogOptions().report_ids,
          "Add each answered request's report ids to its log line (ids such as accession "
          "numbers may identify patients: off by default).");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(30),
          "On SIGTERM/SIGINT, how long in-flight calls may take to finish before they are "
          "cancelled.");

namespace radlabel {
namespace {

// Removes the named plugin from a ServerBuilder (linking gRPC's reflection library registers
// its plugin with every builder).
class WithoutPlugin final : public grpc::ServerBuilderOption {
 public:
  explicit WithoutPlugin(std::string name) : name_(std::move(name)) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [&](const auto& plugin) { return plugin->name() == name_; }),
                   plugins->end());
  }

 private:
  const std::string name_;
};

absl::Status Serve() {
  RADLABEL_ASSIGN_OR_RETURN(ModelBundle bundle, LoadModelBundle(absl::GetFlag(FLAGS_bundle)));
  RADLABEL_ASSIGN_OR_RETURN(WordPieceTokenizer tokenizer, LoadBundleTokenizer(bundle));
  ModelRuntime runtime = ModelRuntimeFromFlags(TorchModelOptionsFor(bundle, tokenizer));
  RADLABEL_ASSIGN_OR_RETURN(std::unique_ptr<Model> model,
                            LoadTorchModel(bundle.path(kModelFile), runtime.model));
  std::cout << "radlabel-server: model on " << runtime.model.device << " (precision "
            << ResolvedPrecision(runtime.model) << ", model workers " << runtime.batching.model_workers
            << ", intra-op threads " << runtime.model.intra_op_threads << ")" << std::endl;

  std::optional<HeapTrimmer> heap_trimmer;
  if (const int64_t threshold = absl::GetFlag(FLAGS_heap_trim_threshold_bytes); threshold > 0) {
    HeapTrimmerOptions trimming;
    trimming.free_bytes_threshold = threshold;
    heap_trimmer.emplace(trimming);
  }
  const TransportSecurityOptions security = {absl::GetFlag(FLAGS_tls_cert),
                                             absl::GetFlag(FLAGS_tls_key),
                                             absl::GetFlag(FLAGS_tls_client_ca)};
  RADLABEL_ASSIGN_OR_RETURN(const std::shared_ptr<grpc::ServerCredentials> credentials,
                            MakeServerCredentials(security));
  Metrics metrics(bundle);
  std::unique_ptr<HttpListener> metrics_endpoint;
  if (const std::string address = absl::GetFlag(FLAGS_metrics_listen); !address.empty()) {
    RADLABEL_ASSIGN_OR_RETURN(metrics_endpoint, StartMetricsEndpoint(address, security, metrics));
    std::cout << "radlabel-server: metrics on " << (security.tls() ? "https" : "http") << "://"
              << metrics_endpoint->address()
              << "/metrics" << std::endl;
  }

  BatcherOptions& batching = runtime.batching;
  batching.observer = &metrics;
  RADLABEL_ASSIGN_OR_RETURN(
      const std::unique_ptr<Pipeline> pipeline,
      Pipeline::Create(std::move(bundle), std::move(tokenizer), std::move(model), batching));

  ServiceOptions service_options;
  service_options.max_reports_per_request = absl::GetFlag(FLAGS_max_reports_per_request);
  service_options.max_stream_messages_in_flight =
      absl::GetFlag(FLAGS_max_stream_messages_in_flight);
  service_options.retry_pushback = absl::GetFlag(FLAGS_retry_pushback);
  service_options.max_report_bytes = absl::GetFlag(FLAGS_max_report_bytes);
  service_options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  service_options.max_request_bytes_in_flight = absl::GetFlag(FLAGS_max_request_bytes_in_flight);
  RADLABEL_RETURN_IF_ERROR(service_options.Validate());
  std::optional<BearerTokenCheck> token_check;
  if (const std::string path = absl::GetFlag(FLAGS_auth_token_file); !path.empty()) {
    RADLABEL_ASSIGN_OR_RETURN(token_check, BearerTokenCheck::FromFile(path));
  }
  CallLogOptions logging;
  logging.requests = absl::GetFlag(FLAGS_log_requests);
  logging.report_ids = absl::GetFlag(FLAGS_log_report_ids);
  CallLog call_log(logging, std::cout);
  RequestLabeller requests(pipeline->labeller(), pipeline->bundle(), batching, service_options,
                           metrics, token_check ? &*token_check : nullptr, &call_log);
  LabellerService service(requests);

  grpc::EnableDefaultHealthCheckService(true);
  // The schema is public, but a server that asks for a token answers nothing without one
  // unless its operator chose otherwise.
  const std::string reflection = absl::GetFlag(FLAGS_reflection);
  if (reflection != "on" && reflection != "off" && reflection != "auto") {
    return absl::InvalidArgumentError(
        absl::StrCat("--reflection is '", reflection, "'; choose on, off or auto"));
  }
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (reflection == "off" || (reflection == "auto" && token_check)) {
    builder.SetOption(std::make_unique<WithoutPlugin>("proto_server_reflection"));
  }
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  builder.AddListeningPort(listen, credentials, &port);
  builder.SetMaxReceiveMessageSize(service_options.max_message_bytes);
  // A call waiting for the budget of request bytes reads nothing; these keep what HTTP/2 lets
  // its client send meanwhile to one default window (64 KiB) instead of the megabytes that
  // bandwidth-delay probing would open per connection, so that the budget bounds memory.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 << 10);
  for (const auto& [arg, flag] : {std::pair{GRPC_ARG_MAX_CONNECTION_AGE_MS, &FLAGS_max_connection_age},
                                  std::pair{GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                                            &FLAGS_max_connection_age_grace}}) {
    const absl::Duration value = absl::GetFlag(*flag);
    if (value <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          "--max_connection_age and --max_connection_age_grace must be positive, or 'inf'");
    }
    // gRPC takes int milliseconds; longer than that is as good as never.
    if (value < absl::Milliseconds(std::numeric_limits<int>::max())) {
      builder.AddChannelArgument(arg, static_cast<int>(absl::ToInt64Milliseconds(value)));
    }
  }
  builder.RegisterService(&service);
  builder.RegisterCallbackGenericService(service.label_method());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", listen, "; check the address, or whether the port is in use"));
  }
  // Probes may ask for the server ("") or for the labelling service by name.
  server->GetHealthCheckService()->SetServingStatus(v1::Labeller::service_full_name(), true);
  server->GetHealthCheckService()->SetServingStatus(true);
  std::unique_ptr<HttpEndpoint> http;
  if (const std::string address = absl::GetFlag(FLAGS_http_listen); !address.empty()) {
    HttpOptions http_options;
    http_options.address = address;
    http_options.threads = absl::GetFlag(FLAGS_http_threads);
    http_options.max_body_bytes = static_cast<size_t>(service_options.max_message_bytes);
    http_options.security = security;
    RADLABEL_ASSIGN_OR_RETURN(http, HttpEndpoint::Start(http_options, requests));
    std::cout << "radlabel-server: HTTP API on " << (http->tls() ? "https" : "http") << "://"
              << http->address() << "/v1/label" << std::endl;
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  const ModelBundle& served = pipeline->bundle();
  std::cout << "radlabel-server: serving " << served.config.name() << " "
            << served.config.version() << " (sha256 " << served.checksum.substr(0, 12)
            << ") listening on " << host << ":" << port << std::endl;

  const int signal = WaitForShutdownSignal();
  std::cout << "radlabel-server: " << strsignal(signal) << ", draining" << std::endl;
  server->GetHealthCheckService()->SetServingStatus(false);
  requests.StartDraining();  // open streams' new messages are refused from here on
  if (http) http->StartDraining();
  const absl::Time drained = absl::Now() + absl::GetFlag(FLAGS_shutdown_grace);
  server->Shutdown(absl::ToChronoTime(drained));
  if (http) http->Drain(drained);
  pipeline->batcher().Stop();
  std::cout << "radlabel-server: stopped" << std::endl;
  return absl::OkStatus();
}

}  // namespace
}  // namespace radlabel

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Labels head-MRI reports over gRPC (radlabel.v1.Labeller) and HTTP/JSON.\n"
      "Usage: radlabel-server [--listen=HOST:PORT] [--bundle=DIR] [flags]");
  absl::ParseCommandLine(argc, argv);
  // Before any thread starts, so that every thread inherits the blocked mask.
  radlabel::BlockShutdownSignals();
  radlabel::KeepLargeAllocationsInHeap();
  const absl::Status status = radlabel::Serve();
  if (!status.ok()) {
    std::cerr << "radlabel-server: " << status.message() << std::endl;
    return 1;
  }
  return 0;
}
