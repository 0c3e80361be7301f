// Loading policy files: YAML -> the model of model.h, with every CEL expression parsed, type
// checked against the declared facts and compiled. The format is documented in
// doc/policy_format.md. All mistakes are collected in a DiagnosticSink with file, line and
// column; a bundle with errors is never used for decisions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/diagnostics.h"
#include "policy/model.h"

namespace qgrant::policy {

// A policy with its amendments (by effective date) and any guides found beside it.
struct PolicyBundle {
  std::shared_ptr<const Policy> policy;
  std::vector<std::shared_ptr<const Amendment>> amendments;
  std::vector<std::shared_ptr<const Guide>> guides;
  // The draft reforms among the amendments (kind: reform, given as files of their own): for
  // costing only; whatever decides real applications refuses a bundle that has any.
  std::vector<std::string> reforms;
};

// Loads a policy from files and folders. A folder contributes every .yaml/.yml file in it and
// its subfolders, each classified by its `kind:` (policy, amendment, guide; `tests` files are
// left to the test runner; a draft reform found in a folder is an error). Exactly one policy
// must be found. Returns false on any error.
[[nodiscard]] bool LoadBundle(const std::vector<std::string>& paths, PolicyBundle* out, DiagnosticSink* sink);

// Loads one guide file for an already loaded policy.
[[nodiscard]] bool LoadGuideFile(const std::string& path, const PolicyBundle& bundle, std::shared_ptr<const Guide>* out,
                                 DiagnosticSink* sink);

// The rules in force on `as_of`: the policy with the amendments effective by then, and the guide.
RuleSet ResolveRules(const PolicyBundle& bundle, std::shared_ptr<const Guide> guide, Date as_of);

// Applicant kinds of the contract.
const std::vector<std::string>& ApplicantKinds();

}  // namespace qgrant::policy
