// A std::mutex that clang's -Wthread-safety analysis checks: Abseil's thread-safety attributes on
// a capability type. For code that ThreadSanitizer must see (the batcher, the test doubles it
// runs with): Debian's Abseil is not built with TSan, so absl::Mutex would hide its
// happens-before edges, while a bare std::mutex carries no annotations for clang to check.
#pragma once

#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"

namespace radlabel {

class ABSL_LOCKABLE Mutex {
 public:
  // BasicLockable, so that CondVar can wait on it.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Holds `mu` for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// Waits on a held Mutex: cv.wait(mu) releases it while waiting and holds it again on return,
// which the analysis (rightly) sees as held throughout.
using CondVar = std::condition_variable_any;

}  // namespace radlabel
