#include "server/problem.h"

namespace qgrant::server {

const char* ProblemTitle(int status) {
  switch (status) {
    case 400:
      return "请求无效 / Bad request";
    case 401:
      return "未登录或令牌无效 / Unauthorized";
    case 403:
      return "无权执行此操作 / Forbidden";
    case 404:
      return "未找到 / Not found";
    case 405:
      return "不支持该方法 / Method not allowed";
    case 408:
      return "请求超时 / Request timeout";
    case 409:
      return "与当前状态冲突 / Conflict";
    case 413:
      return "请求体过大 / Payload too large";
    case 422:
      return "幂等键已用于其他请求 / Idempotency key reused";
    case 431:
      return "请求头过大 / Request header fields too large";
    case 500:
      return "服务器内部错误 / Internal server error";
    case 501:
      return "尚未实现 / Not implemented yet";
    case 503:
      return "服务繁忙，请稍后重试 / Service unavailable";
    default:
      return status < 500 ? "请求错误 / Client error" : "服务器错误 / Server error";
  }
}

Response Problem(int status, std::string detail, std::vector<FieldError> errors, const nlohmann::json& extra) {
  nlohmann::json body = {
      {"type", "urn:qgrant:problem:" + std::to_string(status)},
      {"title", ProblemTitle(status)},
      {"status", status},
      {"detail", std::move(detail)},
      {"errors", nlohmann::json::array()},
  };
  for (auto& e : errors) body["errors"].push_back({{"field", std::move(e.field)}, {"message", std::move(e.message)}});
  if (extra.is_object()) {
    for (const auto& [k, v] : extra.items()) body[k] = v;
  }
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  // Invalid UTF-8 echoed from a request (a header, a path) is replaced rather than thrown on.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace qgrant::server
