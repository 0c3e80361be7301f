#include "web/api_call.h"

#include "web/html.h"

namespace qgrant::web {

std::string ApiAnswer::Detail(bool en) const {
  if (!body.is_object() || !body.contains("detail") || !body["detail"].is_string()) return "";
  return Side(body["detail"].get<std::string>(), en);
}

std::map<std::string, std::string> ApiAnswer::FieldErrors(bool en) const {
  std::map<std::string, std::string> out;
  if (!body.is_object() || !body.contains("errors") || !body["errors"].is_array()) return out;
  for (const auto& e : body["errors"]) {
    const std::string field = e.value("field", "");
    std::string& message = out[field];
    message += (message.empty() ? "" : "；") + Side(e.value("message", ""), en);
  }
  return out;
}

ApiAnswer Api::Call(const Visit& visit, std::string method, std::string target, const nlohmann::json& body,
                    std::string_view idempotency_key) const {
  server::Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  if (visit.user) request.caller = &*visit.user;
  if (!idempotency_key.empty()) request.headers.emplace_back("idempotency-key", std::string(idempotency_key));
  if (!body.is_null()) {
    request.headers.emplace_back("content-type", "application/json");
    request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  server::Response response = router_->Dispatch(request);
  ApiAnswer answer;
  answer.status = response.status;
  answer.content_type = response.content_type;
  answer.raw = std::move(response.body);
  answer.headers = std::move(response.headers);
  if (answer.content_type.find("json") != std::string::npos) {
    answer.body = nlohmann::json::parse(answer.raw, nullptr, false);
    if (answer.body.is_discarded()) answer.body = nullptr;
  }
  return answer;
}

}  // namespace qgrant::web
