#include "integration/metrics_scrape.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace radlabel::testing {

std::string ScrapeMetrics(ServerProcess& server) {
  const size_t colon = server.metrics_address().rfind(':');
  httplib::Client http(server.metrics_address().substr(0, colon),
                       std::stoi(server.metrics_address().substr(colon + 1)));
  auto response = http.Get("/metrics");
  EXPECT_TRUE(response) << "no answer from /metrics";
  if (!response) return "";
  EXPECT_EQ(response->status, 200);
  return response->body;
}

std::map<std::string, double> ParseExposition(const std::string& exposition) {
  std::map<std::string, double> series;
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    double value = 0;
    if (space != std::string::npos && absl::SimpleAtod(line.substr(space + 1), &value)) {
      series[line.substr(0, space)] = value;
    }
  }
  return series;
}

double SeriesValue(const std::map<std::string, double>& series, const std::string& key) {
  const auto it = series.find(key);
  return it == series.end() ? 0.0 : it->second;
}

double MetricSum(const std::map<std::string, double>& series, const std::string& name) {
  double sum = 0;
  for (const auto& [key, value] : series) {
    if (key == name || absl::StartsWith(key, name + "{")) sum += value;
  }
  return sum;
}

}  // namespace radlabel::testing
