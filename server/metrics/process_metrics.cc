#include "metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>


namespace radlabel {
namespace {

prometheus::MetricFamily Family(const std::string& name, const std::string& help,
                                prometheus::MetricType type, double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return {name, help, type, {metric}};
}

// Fields 14 (utime), 15 (stime), 22 (starttime, clock ticks after boot), 23 (vsize, bytes) and
// 24 (rss, pages) of /proc/self/stat; the name in field 2 may hold spaces, so fields are
// counted after its closing parenthesis.
struct Stat {
  double user_ticks = 0, system_ticks = 0, start_ticks = 0, virtual_bytes = 0, resident_pages = 0;
};

bool ReadStat(Stat* stat) {
  std::ifstream file("/proc/self/stat");
  const std::string line((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const size_t name_end = line.rfind(')');
  if (name_end == std::string::npos || name_end + 2 > line.size()) return false;
  std::istringstream fields(line.substr(name_end + 2));  // from field 3 on
  std::string field;
  for (int number = 3; fields >> field; ++number) {
    if (number == 14) stat->user_ticks = std::stod(field);
    if (number == 15) stat->system_ticks = std::stod(field);
    if (number == 22) stat->start_ticks = std::stod(field);
    if (number == 23) stat->virtual_bytes = std::stod(field);
    if (number == 24) {
      stat->resident_pages = std::stod(field);
      return true;
    }
  }
  return false;
}

// Boot time, seconds since the epoch: the "btime" line of /proc/stat.
double BootTime() {
  std::ifstream file("/proc/stat");
  std::string key;
  double value = 0;
  while (file >> key) {
    if (key == "btime" && file >> value) return value;
    file.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

double OpenFds() {
  std::error_code error;
  double count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++count;
  }
  return count > 0 ? count - 1 : 0;  // less the descriptor the listing itself holds open
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  prometheus::ClientMetric build;
  build.label = {{"version", RADLABEL_VERSION}};
  build.gauge.value = 1;
  std::vector<prometheus::MetricFamily> families = {
      {"radlabel_build_info", "The running radlabel-server's version; always 1.",
       prometheus::MetricType::Gauge, {build}}};
  Stat stat;
  if (!ReadStat(&stat)) return families;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  rlimit fds{};
  getrlimit(RLIMIT_NOFILE, &fds);
  families.push_back(Family("process_cpu_seconds_total", "User and system CPU time spent, seconds.",
                            prometheus::MetricType::Counter,
                            (stat.user_ticks + stat.system_ticks) / ticks));
  families.push_back(Family("process_resident_memory_bytes", "Resident memory size, bytes.",
                            prometheus::MetricType::Gauge, stat.resident_pages * page));
  families.push_back(Family("process_virtual_memory_bytes", "Virtual memory size, bytes.",
                            prometheus::MetricType::Gauge, stat.virtual_bytes));
  families.push_back(Family("process_open_fds", "Open file descriptors.",
                            prometheus::MetricType::Gauge, OpenFds()));
  families.push_back(Family("process_max_fds", "The limit on open file descriptors.",
                            prometheus::MetricType::Gauge, static_cast<double>(fds.rlim_cur)));
  families.push_back(Family("process_start_time_seconds",
                            "Start time of the process, seconds since the Unix epoch.",
                            prometheus::MetricType::Gauge, BootTime() + stat.start_ticks / ticks));
  return families;
}

}  // namespace radlabel
