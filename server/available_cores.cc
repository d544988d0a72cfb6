#include "available_cores.h"

#include <sched.h>

#include <algorithm>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/file_contents.h"

namespace radlabel {
namespace {

// A cgroup hierarchy mounted in this process's view: where it is mounted, which cgroup its root
// is, and the process's cgroup in it.
struct Hierarchy {
  std::string mount_point;
  std::string mount_root;
  std::string process_cgroup;
};

// The cgroup v2 hierarchy and the v1 hierarchy holding the cpu controller, as mounted.
std::vector<Hierarchy> CpuHierarchies(const CgroupFiles& files) {
  const absl::StatusOr<std::string> cgroups = ReadFileContents(files.self_cgroup, "cgroups");
  const absl::StatusOr<std::string> mounts = ReadFileContents(files.self_mountinfo, "mounts");
  if (!cgroups.ok() || !mounts.ok()) return {};
  // /proc/self/cgroup: "0::/path" (v2) or "4:cpu,cpuacct:/path" (v1).
  std::optional<std::string> v2_cgroup, v1_cgroup;
  for (absl::string_view line : absl::StrSplit(*cgroups, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3) continue;
    if (fields[0] == "0" && fields[1].empty()) v2_cgroup = std::string(fields[2]);
    for (absl::string_view controller : absl::StrSplit(fields[1], ',')) {
      if (controller == "cpu") v1_cgroup = std::string(fields[2]);
    }
  }
  // /proc/self/mountinfo: "id parent dev ROOT MOUNT_POINT options... - FSTYPE source SUPER".
  std::vector<Hierarchy> found;
  for (absl::string_view line : absl::StrSplit(*mounts, '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> halves = absl::StrSplit(line, " - ");
    std::vector<absl::string_view> before = absl::StrSplit(halves.first, ' ');
    std::vector<absl::string_view> after = absl::StrSplit(halves.second, ' ');
    if (before.size() < 5 || after.size() < 3) continue;
    Hierarchy hierarchy{std::string(before[4]), std::string(before[3]), ""};
    if (after[0] == "cgroup2" && v2_cgroup) {
      hierarchy.process_cgroup = *v2_cgroup;
    } else if (after[0] == "cgroup" && v1_cgroup) {
      const std::vector<absl::string_view> options = absl::StrSplit(after[2], ',');
      if (std::find(options.begin(), options.end(), "cpu") == options.end()) continue;
      hierarchy.process_cgroup = *v1_cgroup;
    } else {
      continue;
    }
    found.push_back(std::move(hierarchy));
  }
  return found;
}

std::optional<int64_t> ReadNumber(const std::string& path) {
  const absl::StatusOr<std::string> text = ReadFileContents(path, "a cgroup limit");
  int64_t value;
  if (!text.ok() || !absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &value)) {
    return std::nullopt;
  }
  return value;
}

// The quota one cgroup directory sets, in whole cores.
std::optional<int> QuotaCores(const std::string& directory) {
  int64_t quota = -1, period = 0;
  if (const absl::StatusOr<std::string> cpu_max =
          ReadFileContents(directory + "/cpu.max", "a cgroup limit");
      cpu_max.ok()) {
    const std::vector<absl::string_view> fields =
        absl::StrSplit(absl::StripAsciiWhitespace(*cpu_max), ' ');
    if (fields.size() != 2 || !absl::SimpleAtoi(fields[0], &quota) ||
        !absl::SimpleAtoi(fields[1], &period)) {
      return std::nullopt;  // "max 100000": no quota
    }
  } else {
    quota = ReadNumber(directory + "/cpu.cfs_quota_us").value_or(-1);
    period = ReadNumber(directory + "/cpu.cfs_period_us").value_or(0);
  }
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<int>(std::max<int64_t>(1, quota / period));
}

}  // namespace

std::optional<int> CgroupCpuQuotaCores(const CgroupFiles& files) {
  std::optional<int> tightest;
  for (const Hierarchy& hierarchy : CpuHierarchies(files)) {
    // The process's cgroup relative to the mount's root; in a container with its own cgroup
    // namespace the two are the same and the container's cgroup is the mount point itself.
    absl::string_view relative = hierarchy.process_cgroup;
    if (hierarchy.mount_root != "/" && !absl::ConsumePrefix(&relative, hierarchy.mount_root)) {
      relative = "";
    }
    std::string directory = hierarchy.mount_point + std::string(absl::StripSuffix(relative, "/"));
    while (true) {
      if (const std::optional<int> cores = QuotaCores(directory)) {
        tightest = std::min(tightest.value_or(*cores), *cores);
      }
      if (directory.size() <= hierarchy.mount_point.size()) break;
      directory.resize(directory.rfind('/'));
    }
  }
  return tightest;
}

int AvailableCores(const CgroupFiles& files) {
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  cpu_set_t affinity;
  if (sched_getaffinity(0, sizeof(affinity), &affinity) == 0) cores = CPU_COUNT(&affinity);
  if (const std::optional<int> quota = CgroupCpuQuotaCores(files)) cores = std::min(cores, *quota);
  return std::max(1, cores);
}

}  // namespace radlabel
