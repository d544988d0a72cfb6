// The process's own health in Prometheus' standard names, read from Linux's /proc at each
// scrape (prometheus-cpp has no process collector):
//
//   process_cpu_seconds_total          user + system CPU time
//   process_resident_memory_bytes      resident set size
//   process_virtual_memory_bytes       virtual memory size
//   process_open_fds                   open file descriptors (sockets included)
//   process_max_fds                    the soft limit on them
//   process_start_time_seconds         start time, seconds since the Unix epoch
//
// and radlabel_build_info{version} = 1 (the CMake project's version): what is running, beside
// radlabel_model_info's what it serves. Off Linux the process_* families are absent.
#pragma once

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace radlabel {

class ProcessMetrics final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace radlabel
