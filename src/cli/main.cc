// qgrant: the command line of the Shenzhen quality and brand subsidy system.
#include <exception>
#include <iostream>
#include <new>
#include <string_view>
#include <system_error>

#include "cli/commands.h"
#include "cli/huge_page_heap.h"
#include "cli/stdout_check.h"

namespace {

// Exit status for unusable arguments, files or output (the contract's "non-zero only for
// unusable arguments or files").
constexpr int kUnusable = 2;

// Parses the arguments and runs the chosen subcommand, whose callback sets *exit_code.
int Dispatch(CLI::App& app, int argc, char** argv, int* exit_code) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kUnusable;
  }
  return *exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // Every command but the service ends within minutes: what it frees stays with the allocator.
  qgrant::cli::UseHugePagesForHeap(/*keep_freed=*/argc < 2 || std::string_view(argv[1]) != "serve");
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
  int rc;
  // Last line of defence: a command reports the problems it expects itself (naming the file);
  // anything else that escapes (an I/O exception of the standard library, exhausted memory)
  // still ends with a message and an exit status, never with std::terminate's abort.
  try {
    rc = Dispatch(app, argc, argv, &exit_code);
  } catch (const std::bad_alloc&) {
    std::cerr << "qgrant: 内存不足 / out of memory\n";
    rc = kUnusable;
  } catch (const std::system_error& e) {
    // A thread that could not be started: its stack could not be had (EAGAIN).
    if (e.code() == std::errc::resource_unavailable_try_again) {
      std::cerr << "qgrant: 内存不足，无法启动线程 / out of memory: cannot start a thread\n";
    } else {
      std::cerr << "qgrant: 无法完成 / could not complete: " << e.what() << "\n";
    }
    rc = kUnusable;
  } catch (const std::exception& e) {
    std::cerr << "qgrant: 无法完成 / could not complete: " << e.what() << "\n";
    rc = kUnusable;
  } catch (...) {
    std::cerr << "qgrant: 无法完成 / could not complete: unknown error\n";
    rc = kUnusable;
  }
  // Output that never arrived is a failure whatever the command thought of its work.
  if (!qgrant::cli::FinishStandardOutput() && rc == 0) rc = kUnusable;
  return rc;
}
