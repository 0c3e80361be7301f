// The subcommands of the qgrant binary. Each registers itself on the CLI11 app and stores its
// exit status in `*exit_code` when it runs. main.cc only wires them together.
#pragma once

#include <CLI/CLI.hpp>

namespace qgrant::cli {

void AddExprCommand(CLI::App& app, int* exit_code);
void AddCheckCommand(CLI::App& app, int* exit_code);
void AddEvalCommand(CLI::App& app, int* exit_code);
void AddExplainCommand(CLI::App& app, int* exit_code);
void AddAllocateCommand(CLI::App& app, int* exit_code);
void AddScreenCommand(CLI::App& app, int* exit_code);
void AddSimulateCommand(CLI::App& app, int* exit_code);
void AddUserCommand(CLI::App& app, int* exit_code);
void AddAuditCommand(CLI::App& app, int* exit_code);
void AddServeCommand(CLI::App& app, int* exit_code);

}  // namespace qgrant::cli
