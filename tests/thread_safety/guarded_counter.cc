// Compiled, not run, by ctest: proves that clang's -Wthread-safety analysis sees radlabel::Mutex
// (common/mutex.h). Built as is it must compile; with -DRADLABEL_INJECT_VIOLATION, a write to a
// guarded field without the lock, it must fail. scripts/build-sanitized.sh builds every target
// with the same flags, so a real violation fails the sanitizer build.
#include "common/mutex.h"

namespace {

class Counter {
 public:
  void Add() {
#ifndef RADLABEL_INJECT_VIOLATION
    radlabel::MutexLock lock(mu_);
#endif
    ++count_;
  }

 private:
  radlabel::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

int main() {
  Counter counter;
  counter.Add();
  return 0;
}
