#include "server/router.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstdio>
#include <exception>

#include "server/problem.h"

namespace qgrant::server {

const std::string& Call::Param(std::string_view name) const {
  static const std::string kNone;
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return kNone;
}

bool ParseTarget(Request* request) {
  auto parsed = boost::urls::parse_origin_form(request->target);
  if (!parsed) return false;
  const boost::urls::url_view& url = *parsed;
  request->path = std::string(url.encoded_path());
  request->segments.clear();
  for (auto segment : url.segments()) request->segments.emplace_back(segment);
  request->query.clear();
  for (auto param : url.params()) request->query.emplace_back(param.key, param.value);
  return true;
}

void Router::Add(Route route) {
  Pattern p;
  // "/" is the path of no segments (the site's start page).
  size_t start = route.pattern == "/" ? 2 : 1;
  while (start <= route.pattern.size()) {
    size_t end = route.pattern.find('/', start);
    if (end == std::string::npos) end = route.pattern.size();
    p.segments.push_back(route.pattern.substr(start, end - start));
    start = end + 1;
  }
  patterns_.push_back(std::move(p));
  routes_.push_back(std::move(route));
}

namespace {

bool IsParam(const std::string& segment) { return segment.size() > 2 && segment.front() == '{'; }

bool Matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
             std::vector<std::pair<std::string, std::string>>* params) {
  if (pattern.size() != path.size()) return false;
  params->clear();
  for (size_t i = 0; i < path.size(); ++i) {
    if (IsParam(pattern[i])) {
      if (path[i].empty()) return false;
      params->emplace_back(pattern[i].substr(1, pattern[i].size() - 2), path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

Response Router::Dispatch(Request& request) const {
  if (!ParseTarget(&request)) {
    return Problem(400, "请求目标不是有效的路径 / the request target is not a valid origin-form path");
  }
  std::vector<std::pair<std::string, std::string>> params;
  std::string allow;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!Matches(patterns_[i].segments, request.segments, &params)) continue;
    if (routes_[i].method != request.method) {
      allow += (allow.empty() ? "" : ", ") + routes_[i].method;
      continue;
    }
    Call call{request, std::nullopt, std::move(params), std::nullopt};
    if (auto refused = Authenticate(request, routes_[i], &call)) return *refused;
    return Run(routes_[i], call);
  }
  if (allow.empty()) return Problem(404, "没有这个路径 / no resource at " + request.path);
  Response r =
      Problem(405, request.method + " 不适用于 " + request.path + "，可用 / is not allowed here; allowed: " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

// 401: a route that needs sign-in without valid credentials, or any route given credentials
// that are malformed or unknown (a caller who sent a token expects to be answered as its user).
std::optional<Response> Router::Authenticate(const Request& request, const Route& route, Call* call) const {
  if (request.caller != nullptr) {  // a page's call for its signed-in visitor
    call->user = *request.caller;
    return std::nullopt;
  }
  const std::string* header = request.Header("authorization");
  if (header == nullptr) {
    if (route.access.anyone()) return std::nullopt;
    Response r = Problem(
        401, "此操作需要登录：请提供 Authorization: Bearer 令牌 / sign-in required: send Authorization: Bearer TOKEN");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  auto token = ParseBearer(*header);
  if (token && auth_) call->user = auth_->Authenticate(*token);
  if (call->user) return std::nullopt;
  Response r = Problem(401, token ? "令牌无效或已撤销 / the bearer token is unknown or revoked"
                                  : "Authorization 头应为 Bearer 令牌 / the Authorization header must be Bearer TOKEN");
  r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  return r;
}

Response Router::Run(const Route& route, Call& call) const {
  try {
    const Access* access = &route.access;
    if (!route.choice_param.empty()) {
      const std::string& value = call.Param(route.choice_param);
      access = nullptr;
      for (const auto& [name, a] : route.choices) {
        if (name == value) access = &a;
      }
      if (access == nullptr)
        return Problem(404, "没有这个" + route.choice_param + " / unknown " + route.choice_param + ": " + value);
    }
    if (route.visible && !route.visible(call)) return Problem(404, "没有这个对象 / nothing at " + call.request.path);
    if (!access->anyone() && !access->Allows(call.user->role)) {
      std::string who;
      for (const auto& n : access->Names()) who += (who.empty() ? "" : ", ") + n;
      return Problem(403, std::string("角色 ") + RoleName(call.user->role) + " 不能执行此操作 / role " +
                              RoleName(call.user->role) + " may not do this; allowed: " + who);
    }
    if (const std::string* key = call.request.Header("idempotency-key")) {
      if (call.request.method == "POST" || call.request.method == "PUT") {
        if (!ValidIdempotencyKey(*key)) {
          return Problem(
              400,
              "Idempotency-Key 须为 1–255 个可见 ASCII 字符 / Idempotency-Key must be 1-255 visible ASCII characters",
              {{"Idempotency-Key", "1–255 visible ASCII characters"}});
        }
        call.idempotency_key = *key;
      }
    }
    return route.handler(call);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qgrant serve: %s %s failed: %s\n", call.request.method.c_str(), call.request.path.c_str(),
                 e.what());
  } catch (...) {
    std::fprintf(stderr, "qgrant serve: %s %s failed\n", call.request.method.c_str(), call.request.path.c_str());
  }
  return Problem(500, "处理请求时出现内部错误，已记录 / an internal error occurred and was logged");
}

}  // namespace qgrant::server
