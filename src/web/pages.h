// The web pages of `qgrant serve` (issue #14): server-rendered HTML over the §7 JSON API, in
// Chinese by default with an English switch. Every page outside /api/: the policy calculator
// (/, /measures/{id}), sign-in, the applicant's cases, review queues, rounds, payments, the audit
// log and the cost simulation. A page never applies a rule itself: it calls the API through the
// same Router (web/api_call.h) and renders the answer.
#pragma once

#include <memory>
#include <string>

#include "server/auth.h"
#include "server/router.h"
#include "server/service.h"

namespace qgrant::web {

struct PagesOptions {
  // The policy folder the service loaded (the simulation's baseline, with a reform on top).
  std::string policy_path;
  // Where the shipped examples are: the reform files (*.yaml) and registries (*.jsonl) the
  // simulation page offers.
  std::string examples_dir = "examples";
};

// Who signs in: bearer tokens are checked by `tokens` at sign-in; the session that follows is
// kept by `sessions`.
struct PageAccess {
  std::shared_ptr<const server::Authenticator> tokens;
  std::shared_ptr<const server::SessionBook> sessions;
};

// Adds the pages to `router`, the router that also serves the API: their calls to the API are
// dispatched through it. REQUIRES: the API routes are in `router` already.
void AddPages(server::Router& router, std::shared_ptr<const server::Service> service, PageAccess access,
              PagesOptions options);

}  // namespace qgrant::web
