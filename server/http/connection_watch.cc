#include "http/connection_watch.h"

#include <dirent.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <string>

#include "absl/strings/numbers.h"

namespace radlabel {
namespace {

// Whether `address` is `host`:`port`, with the host written as cpp-httplib writes it
// (getnameinfo, numeric).
bool IsAddress(const sockaddr_storage& address, socklen_t length, const std::string& host,
               int port) {
  char name[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, name, sizeof name, service,
                  sizeof service, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return false;
  }
  return host == name && std::to_string(port) == service;
}

// The socket whose own and peer addresses are the request's; -1 when none is.
int FindSocket(const httplib::Request& request) {
  if (request.ssl != nullptr) return SSL_get_fd(request.ssl);
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return -1;
  int found = -1;
  while (const dirent* entry = readdir(fds)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry->d_name, &fd)) continue;
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t local_length = sizeof local;
    socklen_t peer_length = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) == 0 &&
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) == 0 &&
        IsAddress(local, local_length, request.local_addr, request.local_port) &&
        IsAddress(peer, peer_length, request.remote_addr, request.remote_port)) {
      found = fd;
      break;
    }
  }
  closedir(fds);
  return found;
}

}  // namespace

ConnectionWatch::ConnectionWatch(const httplib::Request& request) : socket_(FindSocket(request)) {}

bool ConnectionWatch::PeerGone() const {
  absl::MutexLock lock(&mu_);
  if (released_) return true;
  if (socket_ < 0) return false;
  // POLLRDHUP: the client shut its side (a FIN), whether or not unread bytes (a TLS
  // close_notify) remain before it.
  pollfd watched{socket_, POLLRDHUP, 0};
  return poll(&watched, 1, 0) > 0 && (watched.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

void ConnectionWatch::StopReading() {
  absl::MutexLock lock(&mu_);
  if (socket_ >= 0 && !released_) shutdown(socket_, SHUT_RD);
}

void ConnectionWatch::Release() {
  absl::MutexLock lock(&mu_);
  released_ = true;
}

}  // namespace radlabel
