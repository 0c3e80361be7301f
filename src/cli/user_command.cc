// qgrant user add: creates a user of the service and prints its bearer token, the only time the
// token is ever shown (the store keeps its SHA-256). Applies migrations to a new database and may
// run while `qgrant serve` uses the same one; the token works at once.
//
// stdout is exactly one line, the token. Refusals (duplicate login, unknown role, an applicant
// without a valid USCC) exit 1 with the reason on stderr; an unusable database exits 2.
#include <cctype>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "common/printable.h"
#include "engine/uscc.h"
#include "store/store.h"

namespace qgrant::cli {
namespace {

constexpr int kRefused = 1;
constexpr int kUnusable = 2;

struct UserOptions {
  std::string db = "qgrant.db";
  std::string login;
  std::string role;
  std::string uscc;
  std::string name;
};

// Why `code` is not a valid USCC, or "" when it is.
std::string UsccProblemText(const std::string& code) {
  switch (engine::CheckUscc(code)) {
    case engine::UsccProblem::kNone:
      return "";
    case engine::UsccProblem::kLength:
      return "must be 18 characters";
    case engine::UsccProblem::kCharacter:
      return "holds a character outside GB 32100's set";
    case engine::UsccProblem::kCheckCharacter:
      return "has a wrong check character";
  }
  return "is not valid";
}

// Logins appear in audit entries and history; keep them to a plain, unambiguous set.
bool ValidLogin(const std::string& login) {
  if (login.empty() || login.size() > 64) return false;
  for (char c : login) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '@') return false;
  }
  return true;
}

int RunUserAdd(const UserOptions& o) {
  if (!ValidLogin(o.login)) {
    std::cerr << "qgrant user add: --login must be 1-64 of A-Z a-z 0-9 . _ - @\n";
    return kRefused;
  }
  // Checked before the database is opened, so that a refused command creates no database file.
  if (!store::IsKnownRole(o.role)) {
    std::cerr << "qgrant user add: unknown role '" << o.role
              << "' (applicant, reviewer, expert, officer, finance, auditor, admin)\n";
    return kRefused;
  }
  if (o.role == "applicant" && o.uscc.empty()) {
    std::cerr << "qgrant user add: an applicant needs --uscc, the unit it acts for\n";
    return kRefused;
  }
  if (!o.uscc.empty()) {
    if (std::string why = UsccProblemText(o.uscc); !why.empty()) {
      std::cerr << "qgrant user add: --uscc '" << Printable(o.uscc) << "' " << why << "\n";
      return kRefused;
    }
  }
  // The name is shown on pages, in lists and in the audit trail: a line break or an escape
  // sequence in it could forge a line there or rewrite a terminal.
  if (Printable(o.name) != o.name) {
    std::cerr << "qgrant user add: --name 不得含控制字符 / must not contain control characters (line breaks, "
                 "escape sequences): '"
              << Printable(o.name) << "'\n";
    return kRefused;
  }
  auto store = store::OpenStore(o.db);
  if (!store.ok()) {
    std::cerr << "qgrant user add: " << store.status().message() << "\n";
    return kUnusable;
  }
  store::User user;
  user.login = o.login;
  user.role = o.role;
  if (!o.uscc.empty()) user.uscc = o.uscc;
  user.name = o.name;
  auto token = store::CreateUser(**store, user, "cli:user-add");
  if (!token.ok()) {
    std::cerr << "qgrant user add: " << token.status().message() << "\n";
    return token.status().code() == Status::Code::kInvalidArgument ? kRefused : kUnusable;
  }
  std::cout << *token << "\n";
  return 0;
}

}  // namespace

void AddUserCommand(CLI::App& app, int* exit_code) {
  auto* user = app.add_subcommand("user", "manage the service's users");
  user->require_subcommand(1);
  auto options = std::make_shared<UserOptions>();
  auto* add = user->add_subcommand("add", "add a user and print its bearer token (shown once)");
  add->add_option("--db", options->db, "database: a file path, sqlite:PATH or postgresql://…")->capture_default_str();
  add->add_option("--login", options->login, "the user's login")->required();
  add->add_option("--role", options->role, "applicant, reviewer, expert, officer, finance, auditor or admin")
      ->required();
  add->add_option("--uscc", options->uscc, "the unit an applicant acts for (required for applicants)");
  add->add_option("--name", options->name, "the person's display name");
  add->callback([options, exit_code] { *exit_code = RunUserAdd(*options); });
}

}  // namespace qgrant::cli
