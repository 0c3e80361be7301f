// qgrant serve: the HTTP service of CONTRACT.md §7 (src/server) and its web pages (src/web). Loads the policy, listens,
// and runs until SIGINT or SIGTERM, then stops gracefully (answers in progress are finished).
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "policy/loader.h"
#include "server/http_server.h"
#include "server/service.h"
#include "server/store_calls.h"
#include "store/store.h"
#include "web/pages.h"

namespace qgrant::cli {
namespace {

struct ServeOptions {
  std::string db = "qgrant.db";
  std::string listen = "127.0.0.1:8080";
  std::string policy = "policies/sz-quality-brand";
  std::string today;
  std::string examples = "examples";  // reforms and registries the simulation page offers
  std::string workflow;               // default: workflow.yaml beside the policy folder (policies/workflow.yaml)
  bool demo = false;
  int threads = 0;
};

// workflow.yaml beside the policy folder (the folder of a policy file given instead).
std::string DefaultWorkflow(const std::string& policy) {
  namespace fs = std::filesystem;
  fs::path folder = fs::path(policy).lexically_normal();
  if (folder.has_filename() && fs::is_regular_file(folder)) folder = folder.parent_path();
  if (!folder.has_filename()) folder = folder.parent_path();  // a trailing slash
  return (folder.parent_path() / "workflow.yaml").string();
}

// The demo data set of the main job, made on first run (a database without users): one user per
// role, three applicant units, and a round of the 2026 guide open around the service date. The
// tokens are printed once; only their hashes are kept.
int SeedDemo(store::Store* store, const std::string& today) {
  auto users = store->Read([](store::Reader& r) { return r.Users(); });
  if (!users.ok()) {
    std::cerr << "qgrant: " << users.status().message() << "\n";
    return 1;
  }
  if (!users->empty()) return 0;
  struct Demo {
    const char *login, *role, *uscc, *name;
  };
  const Demo demo[] = {{"officer", "officer", nullptr, "王科长（项目官员）"},
                       {"reviewer", "reviewer", nullptr, "李审核（受理）"},
                       {"expert", "expert", nullptr, "张专家（评审）"},
                       {"finance", "finance", nullptr, "陈会计（财务）"},
                       {"auditor", "auditor", nullptr, "刘审计（审计）"},
                       {"admin", "admin", nullptr, "系统管理员"},
                       {"unit-a", "applicant", "91440300MA5XXXXXXR", "深圳市示例科技有限公司"},
                       {"unit-b", "applicant", "914403001922038216", "深圳市某通信技术有限公司"},
                       {"unit-c", "applicant", "12440300MB2D00001R", "深圳市某检测中心（事业单位）"}};
  std::cout << "qgrant serve: a new database: demo users (keep these tokens; only their hashes are stored)\n";
  for (const Demo& d : demo) {
    store::User u;
    u.login = d.login;
    u.role = d.role;
    if (d.uscc) u.uscc = d.uscc;
    u.name = d.name;
    auto token = store::CreateUser(*store, u, "demo");
    if (!token.ok()) {
      std::cerr << "qgrant: " << token.status().message() << "\n";
      return 1;
    }
    std::cout << "  " << d.role << (d.uscc ? std::string(" ") + d.uscc : "") << "  " << d.login << "  " << *token
              << "\n";
  }
  Status st = store->Write([&](store::WriteTx& tx) -> Status {
    store::Round round{"2026-demo",
                       0,
                       "2026年度质量提升品牌升级扶持项目（演示批次）",
                       "2026",
                       2'000'000'000,
                       today,
                       "2026-12-31",
                       "scheduled",
                       std::nullopt,
                       "",
                       ""};
    if (today > round.closes_on) round.closes_on = today;
    if (Status s = tx.InsertRound(&round); !s.ok()) return s;
    auto a = tx.Audit({"demo",
                       "round.create",
                       "round:" + round.id,
                       nullptr,
                       {{"title", round.title}, {"budget_fen", round.budget_fen}, {"opens_on", round.opens_on}}});
    return a.ok() ? Status::Ok() : a.status();
  });
  if (!st.ok()) {
    std::cerr << "qgrant: " << st.message() << "\n";
    return 1;
  }
  std::cout << "  round 2026-demo (2000万元) is open; try: curl -s -H 'Authorization: Bearer <officer token>' "
               "http://HOST:PORT/api/v1/rounds\n";
  return 0;
}

constexpr const char* kHelp = R"(Runs the HTTP service of the subsidy programme (JSON API, CONTRACT.md §7).

Running it for real:
  qgrant serve --db /var/lib/qgrant/qgrant.db --listen 0.0.0.0:8080 --policy policies/sz-quality-brand
  - put it behind a TLS-terminating reverse proxy (nginx, Caddy): it speaks plain HTTP/1.1;
  - create users with `qgrant user add --db URL --login L --role R [--uscc USCC]`, which prints
    the bearer token to hand over (clients send `Authorization: Bearer TOKEN`);
  - stop it with SIGTERM (systemd's default) or Ctrl-C: answers in progress are completed;
  - GET /healthz for liveness checks, GET /openapi.json for the whole API.
Try it:
  curl -s localhost:8080/api/v1/measures
  curl -s -X POST localhost:8080/api/v1/evaluate?guide=2026 -d @application.json
Limits: bodies over 1 MiB are refused (413), a request must arrive within 10 s, and when more
than 1024 requests wait the server answers 503 with Retry-After.)";

// "HOST:PORT" or "[IPv6]:PORT".
bool SplitListen(const std::string& listen, server::ServerOptions* o) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) return false;
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  if (host.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  const int n = std::stoi(port);
  if (n > 65535) return false;
  o->host = host;
  o->port = static_cast<uint16_t>(n);
  return true;
}

int RunServe(const ServeOptions& o) {
  server::ServerOptions options;
  if (!SplitListen(o.listen, &options)) {
    std::cerr << "qgrant: --listen must be HOST:PORT (e.g. 127.0.0.1:8080), found '" << o.listen << "'\n";
    return 2;
  }
  options.io_threads = o.threads;
  options.workers = o.threads;
  std::optional<policy::Date> today;
  if (!o.today.empty()) {
    policy::Date d;
    if (!policy::ParseDate(o.today, &d)) {
      std::cerr << "qgrant: --today must be a date YYYY-MM-DD, found '" << o.today << "'\n";
      return 2;
    }
    today = d;
  }
  policy::PolicyBundle bundle;
  policy::DiagnosticSink sink;
  if (!policy::LoadBundle({o.policy}, &bundle, &sink)) {
    std::cerr << sink.Format() << "qgrant: the policy at " << o.policy << " has errors; the service was not started\n";
    return 2;
  }
  // SIGINT and SIGTERM are taken by sigwait below, so they must be blocked before any thread
  // starts (threads inherit the mask) and can never interrupt a request.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto opened = store::OpenStore(o.db);
  if (!opened.ok()) {
    std::cerr << "qgrant: the database " << o.db << ": " << opened.status().message() << "\n";
    return 2;
  }
  std::unique_ptr<store::Store> db = std::move(*opened);
  const std::string workflow_path = !o.workflow.empty() ? o.workflow : DefaultWorkflow(o.policy);
  auto workflow = server::Workflow::Load(workflow_path);
  if (!workflow.ok()) {
    std::cerr << "qgrant: " << workflow.status().message() << "\n";
    return 2;
  }
  auto service = std::make_shared<server::Service>(std::move(bundle), today,
                                                   std::make_shared<server::StoreLedgerSource>(db.get()));
  service->Attach(db.get(), std::move(*workflow));
  if (o.demo) {
    if (int rc = SeedDemo(db.get(), policy::FormatDate(service->Today())); rc != 0) return rc;
  }
  auto auth = std::make_shared<server::StoreAuthenticator>(db.get());
  auto router = server::BuildApiRouter(service, auth);
  // The web pages sit on the same router: their calls to the API go through it (src/web).
  web::AddPages(*router, service, {auth, std::make_shared<server::StoreSessions>(db.get())}, {o.policy, o.examples});
  server::HttpServer http(options, router);
  if (Status st = http.Start(); !st.ok()) {
    std::cerr << "qgrant: " << st.message() << "\n";
    return 1;
  }
  std::cerr << "qgrant serve: listening on http://" << o.listen.substr(0, o.listen.rfind(':') + 1) << http.port()
            << " (policy " << o.policy << ", service date " << policy::FormatDate(service->Today())
            << (today ? ", fixed by --today" : "") << ", database " << o.db << " on " << db->backend() << ")\n";
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cerr << "qgrant serve: " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping\n";
  http.Stop();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the HTTP service (JSON API of CONTRACT.md §7)");
  cmd->footer(kHelp);
  cmd->add_option("--db", o->db, "database: a file path, sqlite:PATH or postgresql://… (default qgrant.db)");
  cmd->add_option("--listen", o->listen,
                  "address to listen on, HOST:PORT (default 127.0.0.1:8080; port 0: any free port)");
  cmd->add_option("--policy", o->policy, "policy folder or file (default policies/sz-quality-brand)");
  cmd->add_option("--workflow", o->workflow,
                  "the application workflow (default: workflow.yaml beside the policy folder)");
  cmd->add_option("--examples", o->examples,
                  "folder of reform files and registries the simulation page offers (default examples)");
  cmd->add_flag("--demo", o->demo, "on a new database, add demo users (tokens printed) and an open round");
  cmd->add_option("--today", o->today,
                  "the service date YYYY-MM-DD for every rule (drills, tests; default today in Asia/Shanghai)");
  cmd->add_option("--threads", o->threads, "threads for connections and for handlers, each (default: one per core)")
      ->check(CLI::Range(0, 256));
  cmd->callback([o, exit_code]() { *exit_code = RunServe(*o); });
}

}  // namespace qgrant::cli
