// Reading a radlabel-server's /metrics in tests.
#pragma once

#include <map>
#include <string>

#include "integration/server_process.h"

namespace radlabel::testing {

// GET /metrics of `server` (a test failure, and "", when it does not answer 200).
std::string ScrapeMetrics(ServerProcess& server);

// Series (name with labels, as exposed) -> value.
std::map<std::string, double> ParseExposition(const std::string& exposition);

// The value of one series, 0 when absent (as Prometheus counters start).
double SeriesValue(const std::map<std::string, double>& series, const std::string& key);

// The sum of every series of metric `name`, whatever its labels.
double MetricSum(const std::map<std::string, double>& series, const std::string& name);

}  // namespace radlabel::testing
