// qgrant check: validate policy, amendment and guide files; every problem as file:line:col.
#include <iostream>

#include "cli/commands.h"
#include "common/printable.h"
#include "policy/loader.h"

namespace qgrant::cli {

void AddCheckCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("check", "Validate policy, amendment and guide files (errors as file:line:col)");
  auto paths = std::make_shared<std::vector<std::string>>();
  cmd->add_option("POLICY", *paths, "policy folders or files (a folder brings its amendments and guides)")->required();
  cmd->callback([paths, exit_code]() {
    // Guides named on their own are checked against the policy given with them.
    std::vector<std::string> policy_paths, guide_paths;
    policy::DiagnosticSink sink;
    for (const auto& p : *paths) {
      bool is_guide = false;
      if (p.size() > 5 && (p.ends_with(".yaml") || p.ends_with(".yml"))) {
        std::ifstream in(p);
        std::string line;
        while (std::getline(in, line)) {
          if (line.rfind("kind:", 0) == 0) {
            is_guide = line.find("guide") != std::string::npos;
            break;
          }
        }
      }
      (is_guide ? guide_paths : policy_paths).push_back(p);
    }
    policy::PolicyBundle bundle;
    bool ok = !policy_paths.empty() && policy::LoadBundle(policy_paths, &bundle, &sink);
    if (policy_paths.empty()) sink.Error(paths->front(), 0, 0, "no policy given: name the policy folder or file too");
    if (ok) {
      for (const auto& g : guide_paths) {
        std::shared_ptr<const policy::Guide> guide;
        if (!policy::LoadGuideFile(g, bundle, &guide, &sink)) ok = false;
      }
    }
    std::cerr << sink.Format();
    size_t errors = 0, warnings = 0;
    for (const auto& d : sink.diagnostics()) {
      (d.severity == policy::PolicyDiagnostic::Severity::kError ? errors : warnings)++;
    }
    if (errors == 0 && ok) {
      // The id and version come from the file: shown so that a line break or an escape sequence
      // in them cannot forge a line or rewrite the terminal.
      std::cout << "ok: policy " << Printable(bundle.policy->id) << " " << Printable(bundle.policy->version) << ", "
                << bundle.policy->measures.size() << " measures, " << bundle.amendments.size() << " amendment(s), "
                << bundle.guides.size() + guide_paths.size() << " guide(s)";
      if (warnings) std::cout << ", " << warnings << " warning(s)";
      std::cout << "\n";
      *exit_code = 0;
    } else {
      std::cerr << errors << " error(s), " << warnings << " warning(s)\n";
      *exit_code = 1;
    }
  });
}

}  // namespace qgrant::cli
