// Whether the client of an HTTP request is still connected, for the labeller to drop the
// windows of a caller that went away (CallerState::cancelled). cpp-httplib runs a request's
// handler on the thread that owns its connection but shows the handler no socket (TLS aside),
// so the socket is found by its addresses.
#pragma once

#include <httplib.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace radlabel {

class ConnectionWatch {
 public:
  // Watches the connection that `request` came on. Must be made on the handler's thread.
  explicit ConnectionWatch(const httplib::Request& request);

  // True once the client has closed or reset the connection, or once Release was called.
  // Thread-safe.
  bool PeerGone() const ABSL_LOCKS_EXCLUDED(mu_);

  // The handler is returning: the socket may close and be reused, so from now on PeerGone
  // answers true without looking at it.
  void Release() ABSL_LOCKS_EXCLUDED(mu_);

  // Shuts the reading side of the connection: what the client sends from now on is not read
  // (bytes already received still are), so cpp-httplib ends the connection after the answer.
  // For a request answered without reading its body.
  void StopReading() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  int socket_ ABSL_GUARDED_BY(mu_);  // -1: not found (then only Release ends the watch)
  bool released_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace radlabel
