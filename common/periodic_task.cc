#include "common/periodic_task.h"

#include <utility>

namespace radlabel {

PeriodicTask::PeriodicTask(absl::Duration period, std::function<void()> run)
    : thread_([this, period, run = std::move(run)] {
        absl::MutexLock lock(&mu_);
        while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), period)) {
          mu_.Unlock();
          run();
          mu_.Lock();
        }
      }) {}

PeriodicTask::~PeriodicTask() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

}  // namespace radlabel
