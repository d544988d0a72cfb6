#include "http/http_listener.h"

#include <httplib.h>
#include <sys/socket.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace radlabel {

absl::StatusOr<std::unique_ptr<httplib::Server>> NewHttpServer(
    const TransportSecurityOptions& security, absl::string_view port) {
  if (!security.tls()) return std::make_unique<httplib::Server>();
  auto server = std::make_unique<httplib::SSLServer>(
      security.tls_cert_file.c_str(), security.tls_key_file.c_str(),
      security.tls_client_ca_file.empty() ? nullptr : security.tls_client_ca_file.c_str());
  if (!server->is_valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        port, " cannot use --tls_cert ", security.tls_cert_file, " and --tls_key ",
        security.tls_key_file,
        security.tls_client_ca_file.empty()
            ? ""
            : absl::StrCat(" with --tls_client_ca ", security.tls_client_ca_file),
        ": check that they are readable PEM files and that the key is the certificate's"));
  }
  return server;
}

HttpListener::HttpListener(std::unique_ptr<httplib::Server> server) : server_(std::move(server)) {}

HttpListener::~HttpListener() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<HttpListener>> HttpListener::Start(
    std::unique_ptr<httplib::Server> server, const std::string& address, absl::string_view flag) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", address, "' is not host:port, e.g. 0.0.0.0:8080"));
  }
  const std::string host = address.substr(0, colon);
  std::unique_ptr<HttpListener> listener(new HttpListener(std::move(server)));
  httplib::Server& bound_server = *listener->server_;
  // cpp-httplib 0.11 listens with a backlog of 5: in a burst of new connections the ones beyond
  // it wait for SYN retransmits (seconds) or are dropped. Its socket-options hook sees each
  // socket it creates before the bind; the one that bound gets the system's largest backlog.
  int listening_socket = -1;
  bound_server.set_socket_options([&listening_socket](socket_t socket) {
    httplib::default_socket_options(socket);
    listening_socket = socket;
  });
  const int bound = port == 0 ? bound_server.bind_to_any_port(host)
                              : (bound_server.bind_to_port(host, port) ? port : -1);
  bound_server.set_socket_options(httplib::default_socket_options);
  if (bound > 0 && listening_socket >= 0) ::listen(listening_socket, SOMAXCONN);
  if (bound <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, " (", flag,
                                               "); check the address, or whether the port is in use"));
  }
  listener->address_ = absl::StrCat(host, ":", bound);
  listener->thread_ = std::thread([&bound_server, &returned = listener->listen_returned_] {
    bound_server.listen_after_bind();
    returned = true;
  });
  // httplib's stop() does nothing until the listen loop has begun, so the destructor of a
  // listener stopped at once (a start-up that fails after this) would join a thread that then
  // listens forever. The loop begins at once: wait for it, or for the listen to have failed.
  while (!bound_server.is_running() && !listener->listen_returned_) std::this_thread::yield();
  return listener;
}

}  // namespace radlabel
