// The HTTP/1.1 server: Boost.Beast sessions on an Asio io_context run by one thread per core
// (reading and writing only, never waiting on a handler), and a bounded pool of workers that run
// the router's handlers (which may wait on a database). Limits, all in ServerOptions:
//  - the request head (line and headers) is at most `max_header_bytes` (else 431, connection closed);
//  - a body over `max_body_bytes` is answered 413 as soon as its Content-Length is seen, without
//    reading it (a chunked body: when the limit is passed), and the connection is closed;
//  - a request must arrive whole within `read_timeout` from the first byte awaited (idle
//    keep-alive included): a slow client is disconnected and never holds a thread;
//  - at most `queue_capacity` requests wait for or run on the workers; the next is answered 503
//    with Retry-After at once instead of queueing.
// Thread-safety: Start and Stop from one thread; the router is shared read-only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/router.h"

namespace qgrant::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: an ephemeral port, see HttpServer::port()
  int io_threads = 0;    // 0: one per core
  int workers = 0;       // 0: one per core
  size_t queue_capacity = 1024;
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;  // CONTRACT.md §7: a body over 1,048,576 bytes is 413
  std::chrono::milliseconds read_timeout{10000};
  int retry_after_seconds = 1;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, std::shared_ptr<const Router> router);
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the threads; an error when the address cannot be used.
  Status Start();
  // The port listened on (the chosen one when options.port was 0). REQUIRES: Start() succeeded.
  uint16_t port() const;
  // Stops accepting, lets the requests being handled finish (for up to a few seconds), then
  // closes every connection and joins the threads. Idempotent.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace qgrant::server
