#include "service/request_bytes_budget.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace radlabel {

std::optional<RequestBytesBudget::Ticket> RequestBytesBudget::Reserve(
    int64_t bytes, std::function<void()> granted) {
  absl::MutexLock lock(&mu_);
  if (waiting_.empty() && reserved_ + bytes <= capacity_) {
    reserved_ += bytes;
    return std::nullopt;
  }
  const Ticket ticket = next_ticket_++;
  waiting_.push_back({ticket, bytes, std::move(granted)});
  return ticket;
}

bool RequestBytesBudget::Withdraw(Ticket ticket) {
  std::vector<std::function<void()>> granted;
  {
    absl::MutexLock lock(&mu_);
    const auto found = std::find_if(waiting_.begin(), waiting_.end(),
                                    [ticket](const Waiting& w) { return w.ticket == ticket; });
    if (found == waiting_.end()) return false;
    waiting_.erase(found);
    granted = GrantWhatFits();  // the first in line may have held back those behind it
  }
  for (auto& run : granted) run();
  return true;
}

void RequestBytesBudget::Release(int64_t bytes) {
  std::vector<std::function<void()>> granted;
  {
    absl::MutexLock lock(&mu_);
    reserved_ -= bytes;
    granted = GrantWhatFits();
  }
  for (auto& run : granted) run();
}

std::vector<std::function<void()>> RequestBytesBudget::GrantWhatFits() {
  std::vector<std::function<void()>> granted;
  while (!waiting_.empty() && reserved_ + waiting_.front().bytes <= capacity_) {
    reserved_ += waiting_.front().bytes;
    granted.push_back(std::move(waiting_.front().granted));
    waiting_.pop_front();
  }
  return granted;
}

int64_t RequestBytesBudget::reserved() const {
  absl::MutexLock lock(&mu_);
  return reserved_;
}

}  // namespace radlabel
