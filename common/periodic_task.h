// Runs a function every period on its own thread until destroyed.
#pragma once

#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace radlabel {

class PeriodicTask {
 public:
  // Calls `run` every `period` (first after one period) until destruction, which waits for a
  // call in progress and then joins the thread.
  PeriodicTask(absl::Duration period, std::function<void()> run);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace radlabel
