// Notification and Countdown (absl::Notification and absl::BlockingCounter's contracts) for the
// tests that ThreadSanitizer runs: built on std::mutex and std::condition_variable, which TSan
// sees. Debian's Abseil is not built with TSan, so its primitives would hide the ordering they
// create and TSan would report races that are not there.
#pragma once

#include <condition_variable>
#include <mutex>

namespace radlabel::testing {

class Notification {
 public:
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
    changed_.notify_all();
  }
  bool HasBeenNotified() {
    std::lock_guard<std::mutex> lock(mu_);
    return notified_;
  }
  void WaitForNotification() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return notified_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool notified_ = false;
};

// Wait() returns once DecrementCount() has been called `count` times.
class Countdown {
 public:
  explicit Countdown(int count) : remaining_(count) {}
  void DecrementCount() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--remaining_ == 0) changed_.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return remaining_ <= 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int remaining_;
};

}  // namespace radlabel::testing
