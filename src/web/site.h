// What every page shares (internal to src/web): the API caller, the visitor, the layout
// template, and the answers a page gives — a rendered page with the security headers, a 303
// redirect, an error page carrying the API's status and message. POST pages are checked here
// once: a form without the session's CSRF token, or a cross-site request, is 403.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "server/router.h"
#include "server/service.h"
#include "web/api_call.h"
#include "web/forms.h"
#include "web/pages.h"
#include "web/session.h"

namespace qgrant::web {

class Site {
 public:
  Site(const server::Router* router, std::shared_ptr<const server::Service> service, PageAccess access,
       PagesOptions options)
      : api_(router), service_(std::move(service)), access_(std::move(access)), options_(std::move(options)) {}

  Visit Read(const server::Request& request) const { return ReadVisit(request, access_.sessions.get()); }
  const Api& api() const { return api_; }
  const server::Service& service() const { return *service_; }
  const PagesOptions& options() const { return options_; }
  const server::Authenticator* tokens() const { return access_.tokens.get(); }
  const server::SessionBook* sessions() const { return access_.sessions.get(); }

  // A page: the layout around `main` (already escaped HTML), `title` as text. `failed` prefixes
  // the title with 错误： (a form that came back with problems).
  server::Response Render(const Visit& v, std::string_view title, std::string_view main, int status = 200,
                          bool failed = false) const;
  // 303 See Other to a path of this site.
  server::Response Redirect(std::string_view location) const;
  // The API's refusal as a page with the same status (404 for another unit's case, 403, 409, 501...).
  server::Response ErrorPage(const Visit& v, const ApiAnswer& answer) const;
  server::Response Message(const Visit& v, int status, std::string_view title, std::string_view text) const;
  // A whole HTML document made elsewhere (the API's decision letter), with the security headers.
  server::Response Document(std::string html) const;
  // A file the API answered (a PDF letter, a CSV or XLSX export) handed to the browser as is,
  // for pages whose visitors hold a cookie, not a bearer token; a refusal as an error page.
  server::Response Download(const Visit& v, const ApiAnswer& answer) const;
  // To the sign-in page, coming back to this page afterwards.
  server::Response SignInFirst(const Visit& v) const;
  // The hidden CSRF field every POST form carries.
  std::string CsrfField(const Visit& v) const;

  // A POST's answer kept for the page its 303 leads to, so that the page shows what the POST
  // did and a reload posts nothing again: Keep answers a fresh random key, Kept the answer of
  // that key for the same visitor (null when gone or another visitor's). The latest
  // kKeptAnswers answers are kept, in memory only.
  static constexpr size_t kKeptAnswers = 64;
  std::string Keep(const Visit& v, nlohmann::json answer) const;
  nlohmann::json Kept(const Visit& v, std::string_view key) const;

  // The size in bytes of the file the API answers at `target` for everyone alike (a public
  // notice's CSV or XLSX), made once for each `content` (a hash of what the file is made from):
  // a page that labels its downloads with their size does not make the workbook at every view.
  size_t PublicFileSize(const Visit& v, const std::string& target, const std::string& content) const;

 private:
  struct KeptAnswer {
    std::string key, owner;  // owner: the SHA-256 of the visitor's session id
    nlohmann::json answer;
  };

  Api api_;
  std::shared_ptr<const server::Service> service_;
  PageAccess access_;
  PagesOptions options_;
  mutable std::mutex kept_mu_;
  mutable std::deque<KeptAnswer> kept_;
  mutable std::map<std::string, size_t> file_sizes_;  // by target and content; under kept_mu_
};

// A page handler: the site, the visitor, the router's call (path parameters), and for POST the
// form (already checked for its CSRF token).
using PageHandler = std::function<server::Response(const Site&, const Visit&, const server::Call&, const Form&)>;

// Registers a page route. POST pages need a signed-in visitor with a valid CSRF token, except
// `open_post` ones, which check what they need themselves (sign-in has no session yet; sign-out
// must also let out a browser whose session has ended): those are refused only when cross-site.
void AddPage(server::Router& router, std::shared_ptr<const Site> site, const char* method, const char* pattern,
             PageHandler handler, const char* summary, bool open_post = false);

// The parts of the site, each in its own file.
void AddCalculatorPages(server::Router& router, std::shared_ptr<const Site> site);
void AddApplicantPages(server::Router& router, std::shared_ptr<const Site> site);
void AddReviewPages(server::Router& router, std::shared_ptr<const Site> site);
void AddRoundPages(server::Router& router, std::shared_ptr<const Site> site);
void AddAuditPages(server::Router& router, std::shared_ptr<const Site> site);
void AddSimulatePages(server::Router& router, std::shared_ptr<const Site> site);

// Small pieces several pages use.
// A <table> region that scrolls on its own on a phone: focusable and labelled (WCAG 1.4.10).
std::string TableWrap(std::string_view label, std::string_view table);
// A POST form's start with its CSRF field; `attrs` further attributes (escaped).
std::string FormStart(const Site& site, const Visit& v, std::string_view action, std::string_view attrs = {});
// The decision (§4) as a result box: outcome, amount, ceiling, reasons with their clauses.
std::string DecisionHtml(const nlohmann::json& decision, bool en);
// A fresh Idempotency-Key for a form, so a double click submits once.
std::string NewFormKey();
// The measures in force (GET /api/v1/measures items) by id.
std::map<std::string, nlohmann::json> MeasuresById(const Site& site, const Visit& v);
// A measure's title in the visitor's language, its id when unknown.
std::string MeasureTitle(const std::map<std::string, nlohmann::json>& measures, const std::string& id, bool en);
// "?guide=2026": the guide of the service date's year (else the latest); "" without guides.
std::string GuideQuery(const Site& site);
// The case page of any role (applicant_pages.cc): `errors` and `values` re-render a failed form.
server::Response CasePage(const Site& site, const Visit& v, const std::string& id, const Errors& errors,
                          const Form& values, int status);
// The panel of actions a staff member may take on an application (review_pages.cc).
std::string StaffPanel(const Site& site, const Visit& v, const nlohmann::json& app, const Errors& errors,
                       const Form& values);

}  // namespace qgrant::web
