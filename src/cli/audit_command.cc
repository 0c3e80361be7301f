// qgrant audit verify: recomputes every hash of the audit chain (CONTRACT §7 "Audit") and names
// the first entry that does not verify. Read-only (no migration, nothing created), so it may run
// beside the server. Prints `ok: N entries, head HASH` (exit 0) or `entry SEQ: REASON` (exit 1);
// exit 2 when the database cannot be used.
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "store/store.h"

namespace qgrant::cli {
namespace {

int RunAuditVerify(const std::string& db) {
  auto verdict = store::VerifyAuditAt(db);
  if (!verdict.ok()) {
    std::cerr << "qgrant audit verify: " << verdict.status().message() << "\n";
    return 2;
  }
  if (!verdict->ok) {
    std::cout << "entry " << verdict->bad_seq << ": " << verdict->reason << "\n";
    return 1;
  }
  std::cout << "ok: " << verdict->entries << " entries, head " << verdict->head << "\n";
  return 0;
}

}  // namespace

void AddAuditCommand(CLI::App& app, int* exit_code) {
  auto* audit = app.add_subcommand("audit", "check the service's audit chain");
  audit->require_subcommand(1);
  auto db = std::make_shared<std::string>("qgrant.db");
  auto* verify = audit->add_subcommand("verify", "recompute every hash of the audit chain (read-only)");
  verify->add_option("--db", *db, "database: a file path, sqlite:PATH or postgresql://…")->capture_default_str();
  verify->callback([db, exit_code] { *exit_code = RunAuditVerify(*db); });
}

}  // namespace qgrant::cli
