// How many CPU cores this process may use: the CPUs it may be scheduled on, lowered to the CPU
// quota of its cgroup where one is set (a Kubernetes CPU limit, `docker run --cpus`). The server
// runs one model worker per such core unless --model_workers says otherwise: more workers than
// the quota allows are throttled by the kernel, fewer leave paid-for cores idle.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace radlabel {

// Where the kernel describes the process's cgroups; tests point these at files of their own.
struct CgroupFiles {
  std::string self_cgroup = "/proc/self/cgroup";
  std::string self_mountinfo = "/proc/self/mountinfo";
};

// The whole cores a cgroup quota allows (quota / period, rounded down, at least 1), from
// cgroup v2's cpu.max ("max 100000" or "250000 100000") or v1's cpu.cfs_quota_us and
// cpu.cfs_period_us of the process's cgroup and every cgroup above it up to the mount (the
// tightest wins); nullopt when none sets a quota or the files cannot be read.
std::optional<int> CgroupCpuQuotaCores(const CgroupFiles& files = CgroupFiles());

// The CPUs in the process's affinity mask, lowered to CgroupCpuQuotaCores(); at least 1.
int AvailableCores(const CgroupFiles& files = CgroupFiles());

}  // namespace radlabel
