// Makes a cpp-httplib server, HTTP or HTTPS, and runs its listen loop on a thread of its own,
// bound to host:port; shared by the metrics endpoint and the HTTP API.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/transport_security_options.h"

namespace httplib {
class Server;
}

namespace radlabel {

// A cpp-httplib server: HTTPS with `security`'s certificate, key and (when set) client CA when
// it has TLS, plain HTTP otherwise. `port` names the port in errors ("the HTTP port").
absl::StatusOr<std::unique_ptr<httplib::Server>> NewHttpServer(
    const TransportSecurityOptions& security, absl::string_view port);

class HttpListener {
 public:
  // Binds `server` (its routes set) to `address`, host:port (port 0 picks a free one), and
  // starts listening. `flag` names the address's flag in errors.
  static absl::StatusOr<std::unique_ptr<HttpListener>> Start(
      std::unique_ptr<httplib::Server> server, const std::string& address, absl::string_view flag);
  ~HttpListener();  // stops listening, waits for the handlers running

  // host:port actually bound.
  const std::string& address() const { return address_; }

 private:
  explicit HttpListener(std::unique_ptr<httplib::Server> server);

  const std::unique_ptr<httplib::Server> server_;
  std::atomic<bool> listen_returned_{false};
  std::thread thread_;
  std::string address_;
};

}  // namespace radlabel
