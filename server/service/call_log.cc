#include "service/call_log.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_string.h"

namespace radlabel {
namespace {

std::string Timestamp(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

}  // namespace

CallLog::CallLog(const CallLogOptions& options, std::ostream& out)
    : options_(options),
      out_(out),
      summary_since_(absl::Now()),
      summaries_(options.summary_period, [this] { Summarise(); }) {}

CallLog::~CallLog() { Summarise(); }

void CallLog::Answered(Rpc rpc, absl::StatusCode code, const std::vector<ReportOutcome>& outcomes,
                       const std::vector<std::string>& ids, absl::Duration latency) {
  if (!options_.requests) return;
  int64_t failed = 0, windows = 0;
  for (const ReportOutcome& outcome : outcomes) {
    failed += !outcome.status.ok();
    windows += outcome.num_windows;
  }
  std::string line = absl::StrCat(
      "{\"time\":\"", Timestamp(absl::Now()), "\",\"event\":\"request\",\"rpc\":\"", RpcName(rpc),
      "\",\"code\":\"", absl::StatusCodeToString(code), "\",\"reports\":", outcomes.size(),
      ",\"failed_reports\":", failed, ",\"windows\":", windows, ",\"latency_ms\":",
      absl::StrFormat("%.1f", absl::ToDoubleMilliseconds(latency)));
  if (options_.report_ids) {
    absl::StrAppend(&line, ",\"report_ids\":[");
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) line += ',';
      AppendJsonString(ids[i], line);
    }
    absl::StrAppend(&line, "]");
  }
  Write(line + "}");
}

void CallLog::Refused(Rpc rpc, absl::StatusCode code) {
  absl::MutexLock lock(&mu_);
  ++refused_[{RpcName(rpc), absl::StatusCodeToString(code)}];
}

void CallLog::Summarise() {
  std::map<std::pair<std::string, std::string>, int64_t> refused;
  absl::Time since;
  {
    absl::MutexLock lock(&mu_);
    refused.swap(refused_);
    since = std::exchange(summary_since_, absl::Now());
  }
  if (refused.empty()) return;
  int64_t total = 0;
  std::string counts;
  for (const auto& [key, n] : refused) {
    total += n;
    absl::StrAppend(&counts, counts.empty() ? "" : ",", "{\"rpc\":\"", key.first,
                    "\",\"code\":\"", key.second, "\",\"requests\":", n, "}");
  }
  Write(absl::StrCat("{\"time\":\"", Timestamp(absl::Now()), "\",\"event\":\"refusals\",\"since\":\"",
                     Timestamp(since), "\",\"requests\":", total, ",\"by\":[", counts, "]}"));
}

void CallLog::Write(const std::string& line) {
  absl::MutexLock lock(&out_mu_);
  out_ << line << std::endl;
}

}  // namespace radlabel
