// The session follows Beast's example/http/server/async: one object per connection, owned by
// the asynchronous operations in flight (shared_from_this), each step a callback on the
// connection's strand. Handlers run on the worker pool; their answer is posted back here.
#include "server/http_server.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <optional>
#include <thread>
#include <vector>

#include "server/problem.h"

namespace qgrant::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
int Threads(int wanted) {
  return wanted > 0 ? wanted : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}
}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions o, std::shared_ptr<const Router> r)
      : options(std::move(o)),
        router(std::move(r)),
        ioc(Threads(options.io_threads)),
        acceptor(ioc),
        workers(Threads(options.workers)) {}

  void Accept();
  // Runs the io_context on this thread until Stop(). An exception escaping a completion handler
  // (a bug: the router catches the handlers') is logged and the thread goes on serving, rather
  // than taking the process down; the connection it came from is dropped with its session.
  void Run() {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "qgrant serve: a connection failed: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "qgrant serve: a connection failed\n");
      }
    }
  }

  ServerOptions options;
  std::shared_ptr<const Router> router;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::steady_timer accept_pause{ioc};
  asio::thread_pool workers;
  std::atomic<size_t> pending{0};  // requests queued for or running on the workers
  std::vector<std::thread> threads;
  bool stopped = false;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl& server) : stream_(std::move(socket)), server_(server) {}

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    // One deadline for the whole request, body included: trickling bytes does not extend it.
    stream_.expires_after(server_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return Refuse(ec);
    const auto length = parser_->content_length();
    if (length && *length > server_.options.max_body_bytes) return Refuse(http::error::body_limit);
    auto& head = parser_->get();
    if (beast::iequals(head[http::field::expect], "100-continue")) {
      interim_.emplace(http::status::continue_, head.version());
      http::async_write(stream_, *interim_, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Refuse(ec);
      self->Handle();
    });
  }

  // A request that cannot be read: answered when there is someone to answer, then closed.
  void Refuse(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return Send(Problem(413, "请求体超过 " + std::to_string(server_.options.max_body_bytes) +
                                   " 字节 / the body is larger than " + std::to_string(server_.options.max_body_bytes) +
                                   " bytes"),
                  true);
    }
    if (ec == http::error::header_limit) {
      return Send(Problem(431, "请求头超过 " + std::to_string(server_.options.max_header_bytes) +
                                   " 字节 / the request head is larger than " +
                                   std::to_string(server_.options.max_header_bytes) + " bytes"),
                  true);
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Send(Problem(400, "无法解析 HTTP 请求 / malformed HTTP request: " + ec.message()), true);
    }
    Close();  // end of stream, timeout (the socket is already closed), reset
  }

  void Handle() {
    auto message = parser_->release();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    if (server_.pending.fetch_add(1) >= server_.options.queue_capacity) {
      server_.pending.fetch_sub(1);
      Response busy = Problem(503, "服务繁忙，请稍后重试 / the server is busy; retry later");
      busy.headers.emplace_back("Retry-After", std::to_string(server_.options.retry_after_seconds));
      return Send(std::move(busy), false);
    }
    asio::post(server_.workers, [self = shared_from_this(), request = std::move(request)]() mutable {
      Response response = self->server_.router->Dispatch(request);
      self->server_.pending.fetch_sub(1);
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->Send(std::move(response), false); });
    });
  }

  void Send(Response r, bool close) {
    close_ = close || !keep_alive_;
    response_.emplace(static_cast<http::status>(r.status), version_);
    response_->set(http::field::server, "qgrant");
    response_->set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) response_->insert(name, value);
    response_->body() = std::move(r.body);
    response_->keep_alive(!close_);
    response_->prepare_payload();
    http::async_write(stream_, *response_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      if (self->close_) return self->Linger();
      self->ReadHeader();
    });
  }

  // After an answer that ends the connection, what the client is still sending (the rest of a
  // refused body) is discarded for a moment, never stored, before closing: closing a socket with
  // unread data sends a reset, which can make the client lose the answer it was just sent.
  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (!linger_started_) {
      linger_started_ = true;
      stream_.expires_after(std::chrono::seconds(1));
    }
    stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kMaxLinger) return self->Close();
      self->Linger();
    });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  static constexpr size_t kMaxLinger = 4 * 1024 * 1024;

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> interim_;  // 100 Continue
  std::optional<http::response<http::string_body>> response_;
  std::array<char, 16 * 1024> discard_;  // Linger()
  size_t lingered_ = 0;
  bool linger_started_ = false;
  bool keep_alive_ = false;
  bool close_ = false;
  unsigned version_ = 11;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open() || ec == asio::error::operation_aborted) return;  // stopping
    if (!ec) {
      std::make_shared<Session>(std::move(socket), *this)->Start();
      return Accept();
    }
    // Out of file descriptors or memory: pause rather than spin, then try again.
    std::fprintf(stderr, "qgrant serve: accept: %s\n", ec.message().c_str());
    accept_pause.expires_after(std::chrono::milliseconds(100));
    accept_pause.async_wait([this](beast::error_code) { Accept(); });
  });
}

HttpServer::HttpServer(ServerOptions options, std::shared_ptr<const Router> router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return Status::InvalidArgument("not an IP address: " + impl_->options.host);
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
                           ": " + ec.message());
  }
  impl_->Accept();
  const int n = Threads(impl_->options.io_threads);
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->Run(); });
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->accept_pause.cancel();
  });
  // Answers being computed are let through for a moment; then every connection is dropped.
  for (int i = 0; i < 500 && impl_->pending.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->workers.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // their answers are written meanwhile
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace qgrant::server
