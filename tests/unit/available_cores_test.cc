#include "available_cores.h"

#include <sched.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace radlabel {
namespace {

namespace fs = std::filesystem;

// A made-up /proc/self/cgroup, /proc/self/mountinfo and cgroup tree under a temporary folder.
class FakeCgroups {
 public:
  explicit FakeCgroups(const std::string& name)
      : root_(fs::path(testing::TempDir()) / ("available_cores_" + name)) {
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~FakeCgroups() { fs::remove_all(root_); }

  void Write(const std::string& relative, const std::string& contents) {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << contents;
  }
  std::string Path(const std::string& relative) const { return (root_ / relative).string(); }
  CgroupFiles Files() const { return {Path("self_cgroup"), Path("self_mountinfo")}; }

 private:
  fs::path root_;
};

TEST(AvailableCoresTest, CgroupV2QuotaIsRoundedDownAndTheTightestAncestorWins) {
  FakeCgroups fake("v2");
  fake.Write("self_cgroup", "0::/kubepods/pod1/server\n");
  fake.Write("self_mountinfo", "30 23 0:26 / " + fake.Path("fs") +
                                   " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
  fake.Write("fs/kubepods/pod1/server/cpu.max", "250000 100000\n");
  EXPECT_EQ(CgroupCpuQuotaCores(fake.Files()), 2);

  fake.Write("fs/kubepods/cpu.max", "100000 100000\n");
  EXPECT_EQ(CgroupCpuQuotaCores(fake.Files()), 1);

  fake.Write("fs/kubepods/cpu.max", "max 100000\n");
  fake.Write("fs/kubepods/pod1/server/cpu.max", "max 100000\n");
  EXPECT_EQ(CgroupCpuQuotaCores(fake.Files()), std::nullopt);
}

TEST(AvailableCoresTest, AQuotaBelowOneCoreStillRunsOneWorker) {
  FakeCgroups fake("small");
  fake.Write("self_cgroup", "0::/\n");
  fake.Write("self_mountinfo", "30 23 0:26 / " + fake.Path("fs") + " rw - cgroup2 cgroup2 rw\n");
  fake.Write("fs/cpu.max", "50000 100000\n");
  EXPECT_EQ(CgroupCpuQuotaCores(fake.Files()), 1);
  EXPECT_EQ(AvailableCores(fake.Files()), 1);
}

TEST(AvailableCoresTest, CgroupV1QuotaIsReadFromTheCpuControllersHierarchy) {
  FakeCgroups fake("v1");
  fake.Write("self_cgroup", "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n");
  fake.Write("self_mountinfo",
             "32 31 0:29 / " + fake.Path("memory") + " rw - cgroup cgroup rw,memory\n"
             "33 31 0:30 / " + fake.Path("cpu,cpuacct") + " rw - cgroup cgroup rw,cpu,cpuacct\n");
  fake.Write("memory/docker/abc/cpu.cfs_quota_us", "100000\n");  // not the cpu hierarchy
  fake.Write("memory/docker/abc/cpu.cfs_period_us", "100000\n");
  fake.Write("cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "300000\n");
  fake.Write("cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  fake.Write("cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  fake.Write("cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuQuotaCores(fake.Files()), 3);
}

// Inside a container the hierarchy's mount may be the container's own cgroup (mount root
// /docker/abc) while /proc/self/cgroup names the host's path: the mount point itself is read.
TEST(AvailableCoresTest, AContainersOwnCgroupMountedAsTheRootIsRead) {
  FakeCgroups fake("container");
  fake.Write("self_cgroup", "4:cpu,cpuacct:/docker/abc\n");
  fake.Write("self_mountinfo",
             "33 31 0:30 /docker/abc " + fake.Path("cpu") + " ro - cgroup cgroup rw,cpu,cpuacct\n");
  fake.Write("cpu/cpu.cfs_quota_us", "400000\n");
  fake.Write("cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuQuotaCores(fake.Files()), 4);
}

TEST(AvailableCoresTest, WithoutAQuotaOrReadableFilesTheAffinityCounts) {
  const CgroupFiles missing{"/nonexistent/cgroup", "/nonexistent/mountinfo"};
  EXPECT_EQ(CgroupCpuQuotaCores(missing), std::nullopt);
  cpu_set_t affinity;
  ASSERT_EQ(sched_getaffinity(0, sizeof(affinity), &affinity), 0);
  EXPECT_EQ(AvailableCores(missing), CPU_COUNT(&affinity));
}

}  // namespace
}  // namespace radlabel
