// qgrant serve: the HTTP service of CONTRACT.md §7 (src/server). Loads the policy, listens, and
// runs until SIGINT or SIGTERM, then stops gracefully (answers in progress are finished).
#include <csignal>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "policy/loader.h"
#include "server/http_server.h"
#include "server/service.h"

namespace qgrant::cli {
namespace {

struct ServeOptions {
  std::string db = "qgrant.db";
  std::string listen = "127.0.0.1:8080";
  std::string policy = "policies/sz-quality-brand";
  std::string today;
  int threads = 0;
};

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

  auto service = std::make_shared<const server::Service>(std::move(bundle), today);
  server::HttpServer http(options, server::BuildApiRouter(service, nullptr));
  if (Status st = http.Start(); !st.ok()) {
    std::cerr << "qgrant: " << st.message() << "\n";
    return 1;
  }
  std::cerr << "qgrant serve: listening on http://" << o.listen.substr(0, o.listen.rfind(':') + 1) << http.port()
            << " (policy " << o.policy << ", service date " << policy::FormatDate(service->Today())
            << (today ? ", fixed by --today" : "") << ")\n"
            << "qgrant serve: the store (" << o.db << ") is not connected yet: routes that need it answer 501\n";
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
  cmd->add_option("--listen", o->listen, "address to listen on, HOST:PORT (default 127.0.0.1:8080; port 0: any free port)");
  cmd->add_option("--policy", o->policy, "policy folder or file (default policies/sz-quality-brand)");
  cmd->add_option("--today", o->today, "the service date YYYY-MM-DD for every rule (drills, tests; default today in Asia/Shanghai)");
  cmd->add_option("--threads", o->threads, "threads for connections and for handlers, each (default: one per core)")
      ->check(CLI::Range(0, 256));
  cmd->callback([o, exit_code]() { *exit_code = RunServe(*o); });
}

}  // namespace qgrant::cli
