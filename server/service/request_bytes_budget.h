// A server-wide budget of request bytes: how much of request messages the server may hold at
// once, across every call. Callers that find it spent wait, in the order they asked, without
// holding anything, so that memory stays bounded whatever the callers send. Free of gRPC.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace radlabel {

class RequestBytesBudget {
 public:
  using Ticket = uint64_t;

  // `capacity`: the bytes that may be reserved at once; at least 1.
  explicit RequestBytesBudget(int64_t capacity) : capacity_(capacity) {}

  // Asks for `bytes` (1..capacity). When they are free and nobody asked earlier, reserves them
  // and returns nullopt: `granted` is never called. Otherwise queues the request and returns
  // its ticket; `granted` runs once every earlier request was granted and the bytes are free,
  // on the thread of the Release that frees them, with no lock held. The caller owns granted
  // bytes and gives them back with Release.
  std::optional<Ticket> Reserve(int64_t bytes, std::function<void()> granted)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Withdraws a queued request: true, and its `granted` never runs; false when it was granted
  // already (its `granted` has run or is running).
  bool Withdraw(Ticket ticket) ABSL_LOCKS_EXCLUDED(mu_);

  // Gives back `bytes` of a reservation, and grants what waits in order while it fits.
  void Release(int64_t bytes) ABSL_LOCKS_EXCLUDED(mu_);

  int64_t reserved() const ABSL_LOCKS_EXCLUDED(mu_);
  int64_t capacity() const { return capacity_; }

 private:
  struct Waiting {
    Ticket ticket;
    int64_t bytes;
    std::function<void()> granted;
  };

  // Reserves what waits, in order, while it fits; returns their callbacks, to run unlocked.
  std::vector<std::function<void()>> GrantWhatFits() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int64_t capacity_;
  mutable absl::Mutex mu_;
  int64_t reserved_ ABSL_GUARDED_BY(mu_) = 0;
  Ticket next_ticket_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Waiting> waiting_ ABSL_GUARDED_BY(mu_);
};

}  // namespace radlabel
