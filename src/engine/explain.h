// Explanations: a decision's trace rendered for a program officer (in Chinese or English) and
// as JSON for auditors — each rule applied, what it evaluated to, the ceiling chosen, the
// ledger entries that mattered, the clause or file line it comes from.
#pragma once

#include <string>

#include "engine/application.h"
#include "engine/decision.h"
#include "policy/model.h"

namespace qgrant::engine {

enum class Lang { kZh, kEn };

std::string ExplainText(const Decision& d, const Application& app, const policy::RuleSet& rules, Lang lang);

// The trace as a JSON array.
std::string TraceJson(const Decision& d);

}  // namespace qgrant::engine
