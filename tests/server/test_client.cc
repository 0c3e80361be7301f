#include "test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace qgrant::server::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpAnswer::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, name)) return v;
  }
  return "";
}

struct Connection::Impl {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
};

Connection::Connection(uint16_t port) : impl_(new Impl) {
  impl_->stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

Connection::~Connection() {
  beast::error_code ignored;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  delete impl_;
}

bool Connection::Write(const std::string& bytes) {
  beast::error_code ec;
  asio::write(impl_->stream.socket(), asio::buffer(bytes), ec);
  return !ec;
}

HttpAnswer Connection::Read(std::chrono::milliseconds timeout) {
  HttpAnswer answer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  impl_->stream.expires_after(timeout);
  beast::error_code ec;
  http::read(impl_->stream, impl_->buffer, parser, ec);
  if (ec) return answer;
  const auto& res = parser.get();
  answer.status = res.result_int();
  for (const auto& f : res) answer.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  answer.body = res.body();
  return answer;
}

HttpAnswer Connection::Send(const std::string& method, const std::string& target, const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    if (req[http::field::content_type].empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  beast::error_code ec;
  impl_->stream.expires_after(std::chrono::seconds(10));
  http::write(impl_->stream, req, ec);
  if (ec) return {};
  return Read();
}

HttpAnswer Fetch(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                 const std::vector<std::pair<std::string, std::string>>& headers) {
  Connection c(port);
  return c.Send(method, target, body, headers);
}

}  // namespace qgrant::server::testing
