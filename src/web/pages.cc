#include "web/pages.h"

#include <openssl/rand.h>

#include <algorithm>

#include "policy/words.h"
#include "store/crypto.h"
#include "web/assets.h"
#include "web/html.h"
#include "web/site.h"

namespace qgrant::web {

namespace {

using server::Response;
using server::Role;

// Every HTML answer: no inline script or style can run, nothing frames the page, no sniffing.
constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'";

void SecurityHeaders(Response* r) {
  r->headers.emplace_back("Content-Security-Policy", kCsp);
  r->headers.emplace_back("X-Content-Type-Options", "nosniff");
  r->headers.emplace_back("Referrer-Policy", "same-origin");
}

std::string Fill(std::string_view layout, const std::vector<std::pair<std::string, std::string>>& slots) {
  std::string out;
  size_t at = 0;
  while (true) {
    const size_t open = layout.find("{{", at);
    if (open == std::string_view::npos) break;
    const size_t close = layout.find("}}", open);
    out.append(layout.substr(at, open - at));
    const std::string_view key = layout.substr(open + 2, close - open - 2);
    for (const auto& [k, v] : slots) {
      if (k == key) out += v;
    }
    at = close + 2;
  }
  out.append(layout.substr(at));
  return out;
}

struct NavItem {
  const char* path;
  const char* zh;
  const char* en;
};

// The pages a role works in, in the order of its work.
std::vector<NavItem> NavFor(const Visit& v) {
  std::vector<NavItem> items = {{"/", "政策计算器", "Policy calculator"}};
  if (!v.user) return items;
  switch (v.user->role) {
    case Role::kApplicant:
      items.push_back({"/applications", "我的申报", "My applications"});
      items.push_back({"/invitations", "免申即享", "Invitations"});
      break;
    case Role::kReviewer:
      items.push_back({"/review", "受理审核", "Review"});
      break;
    case Role::kExpert:
      items.push_back({"/review", "专家评审", "Expert review"});
      break;
    case Role::kOfficer:
    case Role::kAdmin:
      items.push_back({"/rounds", "申报批次", "Rounds"});
      items.push_back({"/review", "申报件", "Applications"});
      items.push_back({"/simulate", "政策测算", "Simulation"});
      break;
    case Role::kFinance:
      items.push_back({"/rounds", "资金拨付", "Payments"});
      break;
    case Role::kAuditor:
      items.push_back({"/audit", "审计日志", "Audit log"});
      items.push_back({"/rounds", "申报批次", "Rounds"});
      items.push_back({"/simulate", "政策测算", "Simulation"});
      break;
  }
  return items;
}

std::string SafeNext(std::string_view next) {
  // Only a path of this site: "/x", never "//host" or "/\host", and nothing that could end the
  // Location header (control characters).
  for (unsigned char c : next) {
    if (c < 0x20 || c == 0x7f) return "/";
  }
  if (next.size() >= 1 && next[0] == '/' && (next.size() == 1 || (next[1] != '/' && next[1] != '\\'))) {
    return std::string(next);
  }
  return "/";
}

const char* HomeOf(Role role) {
  switch (role) {
    case Role::kApplicant:
      return "/applications";
    case Role::kReviewer:
    case Role::kExpert:
      return "/review";
    case Role::kAuditor:
      return "/audit";
    default:
      return "/rounds";
  }
}

// Whether the browser will keep a Secure cookie from this request: over HTTPS (the proxy says
// so), or from this machine's loopback names, which browsers treat as secure.
bool SecureContext(const server::Request& request) {
  if (OverHttps(request)) return true;
  const std::string* host = request.Header("host");
  if (host == nullptr) return true;  // an in-process call: nothing to warn about
  std::string_view name(*host);
  name = name.starts_with("[") ? name.substr(0, name.find(']') + 1) : name.substr(0, name.find(':'));
  if (name == "localhost" || name == "[::1]" || name.ends_with(".localhost")) return true;
  // 127.0.0.0/8 as an IPv4 literal (not a name such as 127.example.org).
  return name.starts_with("127.") && name.find_first_not_of("0123456789.") == std::string_view::npos &&
         std::count(name.begin(), name.end(), '.') == 3;
}

// The sign-in form, with a fresh form token in its hidden field and in its own cookie: a sign-in
// posted from elsewhere lacks the pair (login CSRF).
Response SignInPage(const Site& site, const Visit& v, std::string_view next, const Errors& errors, int status) {
  const std::string form_token = RandomHex();
  std::string main = "<h1>" + std::string(v.T("登录", "Sign in")) + "</h1>";
  main += "<p>" +
          std::string(v.T("请输入管理员发放的访问令牌（qgrant user add 生成）。令牌只用于本次登录，不保存在浏览器中；"
                          "登录后本浏览器只保存一个会话标识，退出即失效，12小时后需重新登录。",
                          "Enter the access token your administrator gave you (made by qgrant user add). The token "
                          "is used to sign in and is not kept by the browser, which keeps only a session id that "
                          "ends when you sign out, or after 12 hours.")) +
          "</p>";
  if (!SecureContext(v.request)) {
    main += "<p class=\"banner\" role=\"alert\">" +
            std::string(v.T("本页面未经 HTTPS 访问，浏览器不会保存登录会话：请通过 HTTPS 地址访问本服务。",
                            "This page was not reached over HTTPS, so the browser will not keep the session: "
                            "open the service at its HTTPS address.")) +
            "</p>";
  }
  main += ErrorSummary(errors, {"token"}, v.en);
  main += "<form method=\"post\" action=\"/signin\" class=\"narrow\"><input type=\"hidden\" name=\"next\" value=\"" +
          Esc(next) + "\"><input type=\"hidden\" name=\"signin\" value=\"" + form_token + "\">";
  main += InputField("token", v.T("访问令牌", "Access token"), "password", "", errors, true,
                     "autocomplete=\"current-password\" spellcheck=\"false\"");
  main += "<button type=\"submit\">" + std::string(v.T("登录", "Sign in")) + "</button></form>";
  Response r = site.Render(v, v.T("登录", "Sign in"), main, status, !errors.empty());
  r.headers.emplace_back("Set-Cookie", SignInCookie(form_token));
  if (CookieValue(v.request, "qgrant_session")) r.headers.emplace_back("Set-Cookie", LegacySessionCookieCleared());
  return r;
}

// Signing in checks the form's token against its cookie, then the access token; it ends the
// browser's earlier session, if any, and starts a new one (a fresh id at every sign-in).
Response SignIn(const Site& s, const Visit& v, const Form& form) {
  const std::string next = SafeNext(form.Get("next"));
  const std::optional<std::string> cookie = CookieValue(v.request, kSignInCookie);
  const std::string& sent = form.Get("signin");
  if (!cookie || cookie->empty() || sent.size() != cookie->size() || !store::ConstantTimeEquals(sent, *cookie)) {
    return SignInPage(s, v, next,
                      {{"token", v.T("登录表单已过期或不是从本站提交的，请重新输入访问令牌",
                                     "The sign-in form has expired or was not sent from this site; enter your "
                                     "token again")}},
                      403);
  }
  const std::string& token = form.Get("token");
  std::optional<server::User> user;
  if (!token.empty() && server::ParseBearer("Bearer " + token) && s.tokens()) user = s.tokens()->Authenticate(token);
  if (!user) {
    return SignInPage(s, v, next,
                      {{"token", v.T("令牌无效或已撤销，请核对后重新输入",
                                     "The token is unknown or revoked; check it and try again")}},
                      401);
  }
  if (!v.session.empty()) s.sessions()->End(v.session);  // a new id at every sign-in
  const std::optional<server::SessionBook::Started> session = s.sessions()->Start(*user);
  if (!session) {
    return s.Message(
        v, 503, v.T("暂时无法登录", "Cannot sign in now"),
        v.T("数据库暂时无法保存登录会话，请稍后重试。", "The store could not keep the session; try again later."));
  }
  Response r = s.Redirect(next == "/" ? HomeOf(user->role) : next);
  r.headers.emplace_back("Set-Cookie", SessionCookie(session->id));
  r.headers.emplace_back("Set-Cookie", SignInCookie(""));
  r.headers.emplace_back("Set-Cookie", LegacySessionCookieCleared());
  return r;
}

void AddSessionPages(server::Router& router, std::shared_ptr<const Site> site) {
  AddPage(
      router, site, "GET", "/signin",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        const Form q = Form::FromQuery(call.request.query);
        return SignInPage(s, v, SafeNext(q.Get("next")), {}, 200);
      },
      "sign-in page");
  AddPage(
      router, site, "POST", "/signin",
      [](const Site& s, const Visit& v, const server::Call&, const Form& form) { return SignIn(s, v, form); },
      "sign in with a token", /*open_post=*/true);
  // Signing out ends a live session (its form token required) and clears the cookies whatever
  // they hold: a browser whose session already ended, or whose store lookup failed, is still
  // let out. If the store cannot end the session, the visitor is told so.
  AddPage(
      router, site, "POST", "/signout",
      [](const Site& s, const Visit& v, const server::Call&, const Form& form) {
        if (!v.session.empty() && !ValidCsrf(v.session, form.Get("csrf"))) {
          return s.Message(v, 403, v.T("请求被拒绝", "Request refused"),
                           v.T("表单已过期或不是从本站提交的，请返回重新打开页面后再提交。",
                               "The form has expired or was not sent from this site; open the page again and "
                               "resubmit."));
        }
        if (!v.session.empty() && !s.sessions()->End(v.session)) {
          return s.Message(v, 503, v.T("暂时无法退出", "Cannot sign out now"),
                           v.T("数据库暂时无法结束登录会话，请稍后重试；在此之前请勿在公共电脑上离开本页面。",
                               "The store could not end the session; try again shortly, and do not leave a shared "
                               "computer signed in meanwhile."));
        }
        Response r = s.Redirect("/");
        r.headers.emplace_back("Set-Cookie", SessionCookie(""));
        r.headers.emplace_back("Set-Cookie", LegacySessionCookieCleared());
        return r;
      },
      "sign out: the session ends on the server", /*open_post=*/true);
  AddPage(
      router, site, "POST", "/session/extend",
      [](const Site& s, const Visit& v, const server::Call&, const Form& form) {
        if (!s.sessions()->Extend(v.session)) {
          return s.Message(v, 503, v.T("暂时无法延长登录", "Cannot extend the session now"),
                           v.T("数据库暂时无法延长登录会话，请稍后重试。",
                               "The store could not extend the session; "
                               "try again later."));
        }
        return s.Redirect(SafeNext(form.Get("next")));
      },
      "extend the session: it ends 12 hours from now");
  AddPage(
      router, site, "GET", "/lang",
      [](const Site& s, const Visit&, const server::Call& call, const Form&) {
        const Form q = Form::FromQuery(call.request.query);
        Response r = s.Redirect(SafeNext(q.Get("back")));
        r.headers.emplace_back("Set-Cookie", LangCookie(q.Get("to") == "en", OverHttps(call.request)));
        return r;
      },
      "switch the language, back to the same page");
}

void AddStaticFiles(server::Router& router) {
  server::Route r;
  r.method = "GET";
  r.pattern = "/static/{name}";
  r.summary = "the stylesheet, script and icons";
  r.handler = [](const server::Call& call) {
    const std::string& name = call.Param("name");
    struct Type {
      const char* suffix;
      const char* type;
    };
    static const Type kTypes[] = {
        {".css", "text/css; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"}, {".svg", "image/svg+xml"}};
    for (const Type& t : kTypes) {
      if (!name.ends_with(t.suffix)) continue;
      if (auto bytes = FindAsset(name)) {
        Response res;
        res.content_type = t.type;
        res.body = std::string(*bytes);
        res.headers.emplace_back("Cache-Control", "public, max-age=3600");
        res.headers.emplace_back("X-Content-Type-Options", "nosniff");
        return res;
      }
    }
    Response res;
    res.status = 404;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "not found";
    return res;
  };
  router.Add(std::move(r));
}

}  // namespace

Response Site::Render(const Visit& v, std::string_view title, std::string_view main, int status, bool failed) const {
  std::string nav;
  const std::string& path = v.request.path;
  for (const NavItem& item : NavFor(v)) {
    const std::string p = item.path;
    const bool current = p == "/" ? (path == "/" || path.rfind("/measures", 0) == 0) : path.rfind(p, 0) == 0;
    nav += "<li><a href=\"" + p + "\"" + (current ? " aria-current=\"page\"" : "") + ">" + Esc(v.T(item.zh, item.en)) +
           "</a></li>";
  }
  // The switch keeps the current page (path and query).
  const std::string here = SafeNext(v.request.target);
  std::string lang_switch = "<a class=\"lang\" href=\"/lang?to=" + std::string(v.en ? "zh" : "en") +
                            "&amp;back=" + Esc(UrlPart(here)) + "\" " +
                            (v.en ? "lang=\"zh-CN\">中文" : "lang=\"en\">English") + "</a>";
  std::string account;
  if (v.user) {
    // When the session ends, and the simple action that extends it (WCAG 2.2.1); the script
    // warns ten minutes before (data-ends).
    account = "<span class=\"who\">" + Esc(v.user->name.empty() ? v.user->login : v.user->name) + "</span>" +
              "<span class=\"session-ends\" data-ends=\"" + Esc(v.session_expires) + "\">" +
              v.T("登录有效至 ", "Signed in until ") + DateHtml(v.session_expires, v.en) + "</span>" +
              FormStart(*this, v, "/session/extend", "class=\"inline session-extend\"") +
              "<input type=\"hidden\" name=\"next\" value=\"" + Esc(here) +
              "\"><button type=\"submit\" class=\"link\">" + v.T("延长登录", "Stay signed in") + "</button></form>" +
              FormStart(*this, v, "/signout", "class=\"inline\"") + "<button type=\"submit\" class=\"link\">" +
              v.T("退出", "Sign out") + "</button></form>";
  } else {
    account = "<a href=\"/signin?next=" + Esc(UrlPart(here)) + "\">" + v.T("登录", "Sign in") + "</a>";
  }
  const std::string brand = v.en ? "Shenzhen quality and brand support programme" : "深圳市质量提升品牌升级扶持项目";
  const std::string full_title =
      std::string(failed ? v.T("错误：", "Error: ") : "") + std::string(title) + " - " + brand;
  const std::string footer = v.en ? "Shenzhen Administration for Market Regulation · amounts are ceilings before the "
                                    "budget; the funding plan issued decides payment."
                                  : "深圳市市场监督管理局 · 所示金额为资助上限，资金拨付最终以资助计划下达文件为准。";
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = Fill(*FindAsset("layout.html"), {{"lang", v.en ? "en" : "zh-CN"},
                                            {"title", Esc(full_title)},
                                            {"skip", v.T("跳到主要内容", "Skip to main content")},
                                            {"brand", Esc(brand)},
                                            {"lang_switch", lang_switch},
                                            {"account", account},
                                            {"nav_label", v.T("主导航", "Main")},
                                            {"nav", nav},
                                            {"main", std::string(main)},
                                            {"footer", Esc(footer)}});
  SecurityHeaders(&r);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Site::Redirect(std::string_view location) const {
  Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", std::string(location));
  SecurityHeaders(&r);
  return r;
}

Response Site::Message(const Visit& v, int status, std::string_view title, std::string_view text) const {
  std::string main = "<h1>" + Esc(title) + "</h1><p class=\"notice\">" + Esc(text) + "</p>";
  return Render(v, title, main, status);
}

Response Site::ErrorPage(const Visit& v, const ApiAnswer& answer) const {
  std::string title;
  switch (answer.status) {
    case 401:
      title = v.T("需要登录", "Sign-in required");
      break;
    case 403:
      title = v.T("无权操作", "Not allowed");
      break;
    case 404:
      title = v.T("未找到", "Not found");
      break;
    case 409:
      title = v.T("当前状态不允许此操作", "Not possible in the current state");
      break;
    case 501:
      title = v.T("功能尚未开放", "Not available yet");
      break;
    default:
      title = v.T("操作未完成", "The request was not completed");
  }
  std::string main = "<h1>" + Esc(title) + "</h1><p class=\"notice\">" + Esc(answer.Detail(v.en)) + "</p>";
  if (answer.body.is_object() && answer.body.contains("allowed_actions")) {
    // A 409 of the round's own state names it twice; one of an application beside its round's.
    auto text = [&](const char* key) {
      const auto it = answer.body.find(key);
      return it != answer.body.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string state = text("state"), round_state = text("round_state");
    if (state != round_state) {
      main += "<p>" + std::string(v.T("当前状态：", "Current state: ")) + Esc(StateLabel(state, v.en)) + "</p>";
    }
    if (!round_state.empty()) {
      main += "<p>" + std::string(v.T("申报批次：", "Round: ")) + Esc(RoundStateLabel(round_state, v.en)) + "</p>";
    }
  }
  main += "<p class=\"small\">" + std::string(v.T("接口状态码", "API status")) + " " + std::to_string(answer.status) +
          "</p><p><a href=\"/\">" + v.T("返回首页", "Back to the start page") + "</a></p>";
  return Render(v, title, main, answer.status);
}

Response Site::Document(std::string html) const {
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  SecurityHeaders(&r);
  return r;
}

Response Site::Download(const Visit& v, const ApiAnswer& answer) const {
  if (!answer.ok()) return ErrorPage(v, answer);
  Response r;
  r.content_type = answer.content_type;
  r.body = answer.raw;
  for (const auto& [name, value] : answer.headers) {
    if (name == "Content-Disposition") r.headers.emplace_back(name, value);
  }
  SecurityHeaders(&r);
  return r;
}

Response Site::SignInFirst(const Visit& v) const {
  return Redirect("/signin?next=" + UrlPart(SafeNext(v.request.target)));
}

std::string Site::CsrfField(const Visit& v) const {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + Esc(v.csrf) + "\">";
}

std::string Site::Keep(const Visit& v, nlohmann::json answer) const {
  std::string key = NewFormKey().substr(5);  // 32 hex digits
  std::lock_guard<std::mutex> lock(kept_mu_);
  kept_.push_back({key, store::Sha256Hex(v.session), std::move(answer)});
  while (kept_.size() > kKeptAnswers) kept_.pop_front();
  return key;
}

size_t Site::PublicFileSize(const Visit& v, const std::string& target, const std::string& content) const {
  const std::string key = target + "\n" + content;
  {
    std::lock_guard<std::mutex> lock(kept_mu_);
    if (auto it = file_sizes_.find(key); it != file_sizes_.end()) return it->second;
  }
  const size_t size = api_.Call(v, "GET", target).raw.size();
  std::lock_guard<std::mutex> lock(kept_mu_);
  if (file_sizes_.size() >= 256) file_sizes_.clear();  // notices change seldom: a bound, not a policy
  file_sizes_[key] = size;
  return size;
}

nlohmann::json Site::Kept(const Visit& v, std::string_view key) const {
  if (key.empty() || v.session.empty()) return nullptr;
  const std::string owner = store::Sha256Hex(v.session);
  std::lock_guard<std::mutex> lock(kept_mu_);
  for (const auto& k : kept_) {
    if (k.key == key && k.owner == owner) return k.answer;
  }
  return nullptr;
}

std::string FormStart(const Site& site, const Visit& v, std::string_view action, std::string_view attrs) {
  return "<form method=\"post\" action=\"" + Esc(action) + "\"" + (attrs.empty() ? "" : " " + std::string(attrs)) +
         ">" + site.CsrfField(v) + "<input type=\"hidden\" name=\"idem\" value=\"" + NewFormKey() + "\">";
}

std::string NewFormKey() { return "form-" + RandomHex(); }

std::string TableWrap(std::string_view label, std::string_view table) {
  return "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"" + Esc(label) + "\">" +
         std::string(table) + "</div>";
}

std::string DecisionHtml(const nlohmann::json& d, bool en) {
  if (!d.is_object()) return "";
  const std::string outcome = d.value("outcome", "");
  std::string out = "<div class=\"decision outcome-" + Esc(outcome) + "\"><p class=\"outcome\"><strong>" +
                    Esc(OutcomeLabel(outcome, en)) + "</strong></p>";
  if (outcome == "eligible") {
    out += "<p class=\"amount\">" + std::string(Tr(en, "可获资助：", "Amount: ")) +
           MoneyHtml(d.value("amount_fen", int64_t{0}), en) + "</p>";
  }
  // A referral is no amount, not even 0元: it says where to apply instead, in the words of the
  // decision's referral reason (WEB.md: 本措施不由本系统核算，请按……办理).
  const bool referred = outcome == "referred";
  auto is_referral = [](const nlohmann::json& r) { return r.is_object() && r.value("code", "") == "referral"; };
  if (referred) {
    std::string where;
    if (d.contains("reasons") && d["reasons"].is_array()) {
      for (const auto& r : d["reasons"]) {
        if (is_referral(r)) where += (where.empty() ? "" : " ") + r.value(en ? "en" : "zh", r.value("message", ""));
      }
    }
    out += "<p class=\"referral\">" +
           Esc(where.empty() ? Tr(en, "本措施不由本系统核算，请按相关政策办理。",
                                  "This measure is not computed here: apply under the related policies.")
                             : std::string(Tr(en, "本措施不由本系统核算，请按以下指引办理：",
                                              "This measure is not computed here; apply as follows: ")) +
                                   where) +
           "</p>";
  } else if (d.contains("cap_fen") && d["cap_fen"].is_number_integer()) {
    out += "<p>" + std::string(Tr(en, "资助上限：", "Ceiling: ")) + MoneyHtml(d["cap_fen"].get<int64_t>(), en) + "</p>";
  }
  if (d.contains("clause") && d["clause"].is_string()) {
    const std::string clause = d["clause"].get<std::string>();
    out += "<p>" + std::string(Tr(en, "依据：", "Under: ")) +
           Esc(en ? policy::CiteEn(clause) : policy::CiteZh(clause)) + "</p>";
  }
  std::vector<nlohmann::json> reasons;
  if (d.contains("reasons") && d["reasons"].is_array()) {
    for (const auto& r : d["reasons"]) {
      if (!(referred && is_referral(r))) reasons.push_back(r);  // a referral's text is said above
    }
  }
  if (!reasons.empty()) {
    out += "<h3>" + std::string(Tr(en, "理由", "Reasons")) + "</h3><ul class=\"reasons\">";
    for (const auto& r : reasons) {
      std::string text = r.value(en ? "en" : "zh", r.value("message", ""));
      if (r.contains("field")) text = r.value("field", "") + ": " + text;
      out += "<li>" + Esc(text) + "</li>";
    }
    out += "</ul>";
  }
  if (d.contains("items") && d["items"].is_array() && !d["items"].empty()) {
    out += "<h3>" + std::string(Tr(en, "逐项核算", "By item")) + "</h3><ul class=\"reasons\">";
    for (const auto& item : d["items"]) {
      out += "<li>" + Esc(item.value("number", item.value("subject", ""))) + "：" +
             Esc(OutcomeLabel(item.value("outcome", ""), en)) + " " +
             MoneyHtml(item.value("amount_fen", int64_t{0}), en);
      if (item.contains("reasons")) {
        for (const auto& r : item["reasons"]) out += " — " + Esc(r.value(en ? "en" : "zh", ""));
      }
      out += "</li>";
    }
    out += "</ul>";
  }
  return out + "</div>";
}

void AddPage(server::Router& router, std::shared_ptr<const Site> site, const char* method, const char* pattern,
             PageHandler handler, const char* summary, bool open_post) {
  server::Route r;
  r.method = method;
  r.pattern = pattern;
  r.summary = summary;
  const bool post = std::string_view(method) == "POST";
  r.handler = [site, handler = std::move(handler), post, open_post](const server::Call& call) {
    const Visit v = site->Read(call.request);
    if (!post) return handler(*site, v, call, Form());
    // A POST from another site is refused whatever it carries (Fetch metadata), and every POST
    // of a signed-in visitor must carry the session's token.
    const std::string* fetch_site = call.request.Header("sec-fetch-site");
    if (fetch_site != nullptr && *fetch_site == "cross-site") {
      return site->Message(v, 403, v.T("请求被拒绝", "Request refused"),
                           v.T("不接受来自其他网站的表单提交。", "Forms posted from another site are not accepted."));
    }
    const Form form = Form::Parse(call.request.body);
    if (!open_post && !ValidCsrf(v.session, form.Get("csrf"))) {
      return site->Message(
          v, 403, v.T("请求被拒绝", "Request refused"),
          v.T("表单已过期或不是从本站提交的，请返回重新打开页面后再提交。",
              "The form has expired or was not sent from this site; open the page again and resubmit."));
    }
    return handler(*site, v, call, form);
  };
  router.Add(std::move(r));
}

void AddPages(server::Router& router, std::shared_ptr<const server::Service> service, PageAccess access,
              PagesOptions options) {
  auto site = std::make_shared<const Site>(&router, std::move(service), std::move(access), std::move(options));
  AddStaticFiles(router);
  AddSessionPages(router, site);
  AddCalculatorPages(router, site);
  AddApplicantPages(router, site);
  AddReviewPages(router, site);
  AddRoundPages(router, site);
  AddAuditPages(router, site);
  AddSimulatePages(router, site);
}

}  // namespace qgrant::web
