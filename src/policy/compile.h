// Compiling the CEL inside policy files: the variables every condition may use, their declared
// types (so that facts.lvel or a comparison of a level with a number is caught when the policy
// is checked, not when an application arrives), and parse -> check -> compile of one expression.
//
// Variables of a condition or amount:
//   applicant     {uscc, name, kind, registered_in_shenzhen, serious_dishonesty, established_on,
//                  years_operating, district}
//   facts         the measure's declared facts (dates are timestamps at 00:00 Beijing time)
//   measure, subject (string), obtained_on (timestamp), requested_fen (int, or null if absent)
//   as_of (timestamp: the date the rules are applied), year (int: the guide's year, or as_of's)
//   data          the open lists of the policy, overlaid by the guide
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "expr/checker.h"
#include "expr/program.h"
#include "policy/model.h"

namespace YAML {
class Node;
}

namespace qgrant::policy {

class YamlReader;

enum class ExpectedType { kBool, kInt };

// `applicant_facts`: the further applicant fields the policy declares (Policy::applicant_facts).
expr::TypeEnv MeasureEnv(const std::vector<FactSpec>& facts, const expr::Value& data,
                         const std::vector<FactSpec>& applicant_facts = {});
// Exclusions apply before any measure is known: no facts.
expr::TypeEnv ExclusionEnv(const expr::Value& data, const std::vector<FactSpec>& applicant_facts = {});

// Parses, checks and compiles `source` (the text of YAML scalar `node`); reports problems at
// their place in the file. Returns null on any error. With `facts_of`, notes there which facts
// the expression reads (Condition::facts_read).
std::shared_ptr<const expr::Program> CompileExpression(const YamlReader& reader, const YAML::Node& node,
                                                       const std::string& source, const expr::TypeEnv& env,
                                                       ExpectedType expected, Condition* facts_of = nullptr);

enum class ConstantTruth { kNotConstant, kAlwaysTrue, kAlwaysFalse };
// Whether a condition decides the same way whatever the application (it reads no variable).
ConstantTruth EvaluateIfConstant(const expr::Program& program);
// The error a condition or amount raises whatever the application (a constant `1 / 0`, a bad
// constant regex), or empty: evaluated with every variable unknown, only what the expression
// computes from its literals can fail.
std::string ConstantError(const expr::Program& program);

}  // namespace qgrant::policy
