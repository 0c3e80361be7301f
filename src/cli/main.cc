// qgrant: the command line of the Shenzhen quality and brand subsidy system.
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"qgrant: Shenzhen quality and brand subsidies — policy as code, decisions, budgets"};
  app.require_subcommand(1);
  int exit_code = 0;
  qgrant::cli::AddCheckCommand(app, &exit_code);
  qgrant::cli::AddEvalCommand(app, &exit_code);
  qgrant::cli::AddExplainCommand(app, &exit_code);
  qgrant::cli::AddExprCommand(app, &exit_code);
  qgrant::cli::AddAllocateCommand(app, &exit_code);
  qgrant::cli::AddScreenCommand(app, &exit_code);
  qgrant::cli::AddSimulateCommand(app, &exit_code);
  qgrant::cli::AddUserCommand(app, &exit_code);
  qgrant::cli::AddAuditCommand(app, &exit_code);
  qgrant::cli::AddServeCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;  // unusable arguments
  }
  return exit_code;
}
