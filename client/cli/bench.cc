#include "cli/bench.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <random>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "cli/progress.h"
#include "cli/result_writer.h"
#include "common/json_string.h"

namespace radlabel {
namespace {

// What every caller thread records; merged at the end.
class Recorder {
 public:
  void Request(double latency_seconds) {
    absl::MutexLock lock(&mu_);
    ++result_.requests;
    result_.latencies.push_back(latency_seconds);
  }
  void Reports(const absl::StatusOr<std::vector<v1::ReportResult>>& results, int sent) {
    absl::MutexLock lock(&mu_);
    if (!results.ok()) {
      result_.reports_failed += sent;
      result_.errors_by_code[absl::StatusCodeToString(results.status().code())] += sent;
      return;
    }
    for (const v1::ReportResult& r : *results) Report(r);
  }
  void StreamReport(const v1::ReportResult& r, double latency_seconds) {
    absl::MutexLock lock(&mu_);
    Report(r);
    result_.latencies.push_back(latency_seconds);
  }
  void StreamFailed(const absl::Status& status, int64_t unanswered) {
    absl::MutexLock lock(&mu_);
    result_.reports_failed += unanswered;
    result_.errors_by_code[absl::StatusCodeToString(status.code())] += unanswered;
  }
  BenchResult Take() {
    absl::MutexLock lock(&mu_);
    return std::move(result_);
  }

 private:
  void Report(const v1::ReportResult& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (r.status().code() == 0) {
      ++result_.reports_ok;
    } else {
      ++result_.reports_failed;
      ++result_.errors_by_code[absl::StatusCodeToString(static_cast<absl::StatusCode>(r.status().code()))];
    }
  }

  absl::Mutex mu_;
  BenchResult result_ ABSL_GUARDED_BY(mu_);
};

// Hands out reports in corpus order, wrapping around, until the report budget is spent.
class ReportSupply {
 public:
  ReportSupply(const std::vector<v1::Report>& corpus, int64_t max_reports)
      : corpus_(corpus), max_reports_(max_reports) {}
  // Up to n reports; fewer (possibly none) when the budget runs out.
  std::vector<v1::Report> Take(int n) {
    const int64_t first = next_.fetch_add(n);
    int64_t last = first + n;
    if (max_reports_ > 0) last = std::min(last, max_reports_);
    std::vector<v1::Report> reports;
    for (int64_t i = first; i < last; ++i) {
      reports.push_back(corpus_[static_cast<size_t>(i) % corpus_.size()]);
      reports.back().set_id(absl::StrCat(reports.back().id(), "#", i));  // unique when wrapping
    }
    return reports;
  }

 private:
  const std::vector<v1::Report>& corpus_;
  const int64_t max_reports_;
  std::atomic<int64_t> next_{0};
};

double SecondsSince(absl::Time t) { return absl::ToDoubleSeconds(absl::Now() - t); }

void ClosedUnary(Client& client, ReportSupply& supply, const BenchOptions& options,
                 absl::Time end, Recorder& recorder) {
  while (absl::Now() < end) {
    const std::vector<v1::Report> reports = supply.Take(options.reports_per_request);
    if (reports.empty()) return;
    const absl::Time sent = absl::Now();
    const auto results = client.Label(reports);
    recorder.Request(SecondsSince(sent));
    recorder.Reports(results, static_cast<int>(reports.size()));
  }
}

void ClosedStream(Client& client, ReportSupply& supply, const BenchOptions& options,
                  absl::Time end, Recorder& recorder) {
  std::deque<absl::Time> sent_times;  // results come back in send order
  absl::Mutex mu;
  std::vector<v1::Report> pending;
  int64_t sent = 0, answered = 0;
  StreamOptions stream_options;
  stream_options.reports_per_message = options.reports_per_request;
  stream_options.max_reports_in_flight = options.stream_max_in_flight;
  const absl::Status status = client.LabelStream(
      [&]() -> absl::StatusOr<std::optional<v1::Report>> {
        if (pending.empty()) {
          if (absl::Now() >= end) return std::nullopt;
          pending = supply.Take(options.reports_per_request);
          std::reverse(pending.begin(), pending.end());
          if (pending.empty()) return std::nullopt;
        }
        v1::Report report = std::move(pending.back());
        pending.pop_back();
        absl::MutexLock lock(&mu);
        sent_times.push_back(absl::Now());
        ++sent;
        return report;
      },
      [&](v1::ReportResult result) {
        absl::Time sent_at;
        {
          absl::MutexLock lock(&mu);
          sent_at = sent_times.front();
          sent_times.pop_front();
          ++answered;
        }
        recorder.StreamReport(result, SecondsSince(sent_at));
        return absl::OkStatus();
      },
      stream_options);
  if (!status.ok()) {
    absl::MutexLock lock(&mu);
    recorder.StreamFailed(status, sent - answered);
  }
}

// One thread sends on the schedule and collects the answers in between, on its own completion
// queue (Client::Calls): no gRPC thread runs this code.
void OpenLoop(Client& client, ReportSupply& supply, const BenchOptions& options, absl::Time end,
              Recorder& recorder) {
  std::mt19937_64 random(options.seed);
  std::exponential_distribution<double> gap(options.rate);
  struct Sent {
    absl::Time arrival;
    int reports;
  };
  absl::flat_hash_map<uint64_t, Sent> in_flight;  // by tag
  uint64_t next_tag = 0;
  Client::Calls calls(client);
  const auto record = [&](Client::Calls::Ended ended) {
    const auto it = in_flight.find(ended.tag);
    recorder.Request(SecondsSince(it->second.arrival));
    recorder.Reports(ended.results, it->second.reports);
    in_flight.erase(it);
  };
  absl::Time arrival = absl::Now();
  while (true) {
    arrival += absl::Seconds(gap(random));
    if (arrival >= end) break;
    // The load's schedule: answers are collected until the next arrival is due.
    while (std::optional<Client::Calls::Ended> ended = calls.Next(arrival)) record(*std::move(ended));
    v1::LabelRequest request;
    for (v1::Report& report : supply.Take(options.reports_per_request)) {
      *request.add_reports() = std::move(report);
    }
    if (request.reports_size() == 0) break;
    in_flight[next_tag] = {arrival, request.reports_size()};
    calls.Start(std::move(request), next_tag++);
  }
  while (std::optional<Client::Calls::Ended> ended = calls.Next()) record(*std::move(ended));
}

}  // namespace

absl::Status BenchOptions::Validate() const {
  if (concurrency < 1) return absl::InvalidArgumentError("--concurrency must be at least 1");
  if (reports_per_request < 1) {
    return absl::InvalidArgumentError("--reports_per_request must be at least 1");
  }
  if (mode == Mode::kOpen && !(rate > 0)) {
    return absl::InvalidArgumentError("the open loop needs --rate > 0 (requests per second)");
  }
  if (stream && stream_max_in_flight < reports_per_request) {
    return absl::InvalidArgumentError("--max_in_flight must be at least --reports_per_request");
  }
  return absl::OkStatus();
}

std::string BenchOptions::Describe() const {
  if (mode == Mode::kOpen) {
    return absl::StrFormat("open loop, Poisson arrivals at %.1f requests/s x %d reports", rate,
                           reports_per_request);
  }
  if (stream) {
    return absl::StrFormat("closed loop, %d streams x %d reports/message, %d in flight each",
                           concurrency, reports_per_request, stream_max_in_flight);
  }
  return absl::StrFormat("closed loop, %d unary callers x %d reports/call", concurrency,
                         reports_per_request);
}

double BenchResult::reports_per_second() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(reports_ok) / seconds : 0;
}

double BenchResult::LatencyQuantile(double q) const {
  if (latencies.empty()) return 0;
  const size_t index = static_cast<size_t>(q * static_cast<double>(latencies.size() - 1) + 0.5);
  return latencies[std::min(index, latencies.size() - 1)];
}

std::string BenchResult::Text() const {
  std::string errors;
  for (const auto& [code, n] : errors_by_code) absl::StrAppend(&errors, errors.empty() ? "" : ", ", code, " ", n);
  return absl::StrFormat(
      "%s\nreports: %d labelled, %d failed%s over %.2f s\n"
      "throughput: %.1f reports/s\n"
      "latency per %s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n"
      "errors by code: %s\n%s\n",
      description, reports_ok, reports_failed,
      requests > 0 ? absl::StrCat(", in ", requests, " requests") : "", absl::ToDoubleSeconds(elapsed),
      reports_per_second(), description.find("streams") != std::string::npos ? "report" : "request",
      1e3 * LatencyQuantile(0.5), 1e3 * LatencyQuantile(0.95), 1e3 * LatencyQuantile(0.99),
      errors.empty() ? "none" : errors, ProjectTo100k(reports_per_second()));
}

std::string BenchResult::Json() const {
  std::string json = "{\"description\":";
  AppendJsonString(description, json);
  const double rate = reports_per_second();
  absl::StrAppendFormat(
      &json,
      ",\"requests\":%d,\"reports_ok\":%d,\"reports_failed\":%d,\"elapsed_seconds\":%.4f,"
      "\"reports_per_second\":%.3f,\"latency_seconds\":{\"p50\":%.6f,\"p95\":%.6f,\"p99\":%.6f},"
      "\"projected_seconds_per_100k_reports\":%s,\"errors_by_code\":{",
      requests, reports_ok, reports_failed, absl::ToDoubleSeconds(elapsed), rate,
      LatencyQuantile(0.5), LatencyQuantile(0.95), LatencyQuantile(0.99),
      rate > 0 ? absl::StrFormat("%.1f", kTargetReports / rate) : "null");
  bool first = true;
  for (const auto& [code, n] : errors_by_code) {
    if (!first) json += ",";
    first = false;
    AppendJsonString(code, json);
    absl::StrAppend(&json, ":", n);
  }
  json += "}}";
  return json;
}

absl::StatusOr<BenchResult> RunBench(Client& client, const std::vector<v1::Report>& corpus,
                                     const BenchOptions& options) {
  if (absl::Status valid = options.Validate(); !valid.ok()) return valid;
  if (corpus.empty()) return absl::InvalidArgumentError("the corpus holds no reports");
  ReportSupply supply(corpus, options.max_reports);
  Recorder recorder;
  const absl::Time start = absl::Now();
  const absl::Time end = start + options.duration;
  if (options.mode == BenchOptions::Mode::kOpen) {
    OpenLoop(client, supply, options, end, recorder);
  } else {
    std::vector<std::thread> callers;
    for (int i = 0; i < options.concurrency; ++i) {
      callers.emplace_back([&] {
        if (options.stream) {
          ClosedStream(client, supply, options, end, recorder);
        } else {
          ClosedUnary(client, supply, options, end, recorder);
        }
      });
    }
    for (std::thread& t : callers) t.join();
  }
  BenchResult result = recorder.Take();
  result.elapsed = absl::Now() - start;
  result.description = options.Describe();
  std::sort(result.latencies.begin(), result.latencies.end());
  return result;
}

}  // namespace radlabel
