#include "policy/compile.h"

#include <algorithm>

#include "expr/parser.h"
#include "policy/yaml_reader.h"

namespace qgrant::policy {
namespace {

using expr::CelType;
using K = CelType::Kind;

CelType FactType(const FactSpec& f) {
  switch (f.type) {
    case FactSpec::Type::kString:
      return CelType::Of(K::kString);
    case FactSpec::Type::kInt:
      return CelType::Of(K::kInt);
    case FactSpec::Type::kBool:
      return CelType::Of(K::kBool);
    case FactSpec::Type::kDate:
      return CelType::Of(K::kTimestamp);
    case FactSpec::Type::kObject:
    case FactSpec::Type::kList: {
      std::vector<std::pair<std::string, CelType>> fields;
      for (const auto& sub : f.fields) fields.emplace_back(sub.name, FactType(sub));
      if (f.type == FactSpec::Type::kObject) return CelType::Object(f.name, std::move(fields));
      if (f.list_of_objects) return CelType::List(CelType::Object(f.name + "[]", std::move(fields)));
      return CelType::List(f.fields.empty() ? CelType::Dyn() : FactType(f.fields[0]));
    }
  }
  return CelType::Dyn();
}

CelType ApplicantType(const std::vector<FactSpec>& declared) {
  std::vector<std::pair<std::string, CelType>> fields = {{"uscc", CelType::Of(K::kString)},
                                                         {"name", CelType::Of(K::kString)},
                                                         {"kind", CelType::Of(K::kString)},
                                                         {"registered_in_shenzhen", CelType::Of(K::kBool)},
                                                         {"serious_dishonesty", CelType::Of(K::kBool)},
                                                         {"established_on", CelType::Of(K::kTimestamp)},
                                                         {"years_operating", CelType::Of(K::kInt)},
                                                         {"district", CelType::Of(K::kString)}};
  for (const auto& f : declared) {
    if (std::none_of(fields.begin(), fields.end(), [&](const auto& e) { return e.first == f.name; })) {
      fields.emplace_back(f.name, FactType(f));
    }
  }
  return CelType::Object("applicant", std::move(fields));
}

CelType DataType(const expr::Value& data) {
  std::vector<std::pair<std::string, CelType>> fields;
  if (data.kind() == expr::Kind::kMap) {
    for (const auto& [k, v] : data.map_value().entries()) {
      CelType t = CelType::Dyn();
      if (v.kind() == expr::Kind::kList)
        t = CelType::List(CelType::Dyn());
      else if (v.kind() == expr::Kind::kString)
        t = CelType::Of(K::kString);
      else if (v.kind() == expr::Kind::kInt)
        t = CelType::Of(K::kInt);
      else if (v.kind() == expr::Kind::kBool)
        t = CelType::Of(K::kBool);
      fields.emplace_back(k.string_value(), t);
    }
  }
  return CelType::Object("data", std::move(fields));
}

void AddCommon(expr::TypeEnv* env, const expr::Value& data, const std::vector<FactSpec>& applicant_facts) {
  env->AddVariable("applicant", ApplicantType(applicant_facts));
  env->AddVariable("measure", CelType::Of(K::kString));
  env->AddVariable("subject", CelType::Of(K::kString));
  env->AddVariable("obtained_on", CelType::Of(K::kTimestamp));
  env->AddVariable("requested_fen", CelType::Dyn());
  env->AddVariable("as_of", CelType::Of(K::kTimestamp));
  env->AddVariable("year", CelType::Of(K::kInt));
  env->AddVariable("data", DataType(data));
}

}  // namespace

expr::TypeEnv MeasureEnv(const std::vector<FactSpec>& facts, const expr::Value& data,
                         const std::vector<FactSpec>& applicant_facts) {
  expr::TypeEnv env;
  AddCommon(&env, data, applicant_facts);
  std::vector<std::pair<std::string, CelType>> fields;
  for (const auto& f : facts) fields.emplace_back(f.name, FactType(f));
  env.AddVariable("facts", CelType::Object("facts", std::move(fields)));
  return env;
}

expr::TypeEnv ExclusionEnv(const expr::Value& data, const std::vector<FactSpec>& applicant_facts) {
  expr::TypeEnv env;
  AddCommon(&env, data, applicant_facts);
  return env;
}

namespace {

// Whether `f` holds for every subexpression directly under `e` (stopping at the first that fails).
template <typename F>
bool AllChildren(const expr::Expr& e, F f) {
  for (const expr::Expr* child : {e.operand.get(), e.iter_range.get(), e.predicate.get(), e.transform.get()}) {
    if (child && !f(*child)) return false;
  }
  for (const auto& a : e.args) {
    if (!f(*a)) return false;
  }
  for (const auto& v : e.values) {
    if (!f(*v)) return false;
  }
  return true;
}

void AddOnce(std::vector<std::string>* names, const std::string& name) {
  if (std::find(names->begin(), names->end(), name) == names->end()) names->push_back(name);
}

// Whether `e` uses the variable `item` only to select its fields (`item.f`, `has(item.f)`),
// adding those to `fields`. A use of the variable as a whole, or a comprehension that binds a
// variable of the same name (whose uses would be another variable's), is not only that.
bool SelectsOnlyFieldsOf(const expr::Expr& e, const std::string& item, std::vector<std::string>* fields) {
  using T = expr::Expr::Type;
  if (e.type == T::kSelect && e.operand && e.operand->type == T::kIdent && e.operand->name == item) {
    AddOnce(fields, e.name);
    return true;
  }
  if (e.type == T::kIdent && e.name == item) return false;
  if (e.type == T::kComprehension && (e.iter_var == item || e.iter_var2 == item)) return false;
  return AllChildren(e, [&](const expr::Expr& child) { return SelectsOnlyFieldsOf(child, item, fields); });
}

// What NoteFactsRead finds: each fact read and, for a fact read only item by item, the fields.
struct FactsReads {
  std::vector<std::string> read;
  std::vector<std::string> whole;  // read in another way than item by item
  std::vector<std::pair<std::string, std::vector<std::string>>> item_fields;
  void Whole(const std::string& fact) {
    AddOnce(&read, fact);
    AddOnce(&whole, fact);
  }
  void ItemFields(const std::string& fact, const std::vector<std::string>& fields) {
    AddOnce(&read, fact);
    auto it = std::find_if(item_fields.begin(), item_fields.end(), [&](const auto& f) { return f.first == fact; });
    if (it == item_fields.end()) it = item_fields.insert(item_fields.end(), {fact, {}});
    for (const auto& f : fields) AddOnce(&it->second, f);
  }
};

// `facts.x`.
bool IsFactSelect(const expr::Expr& e) {
  return e.type == expr::Expr::Type::kSelect && e.operand && e.operand->type == expr::Expr::Type::kIdent &&
         e.operand->name == "facts";
}

// Walks `e` for the fields of the variable `facts` it selects. Any other use of the variable (as
// a whole, or a comprehension variable of that name that would hide it) counts as reading all.
// A one-variable comprehension over a fact (`facts.certificates.all(c, …)`) whose body only
// selects fields of its item, and whose value is not made of the items (not filter()), reads
// those fields of the items.
void NoteFactsRead(const expr::Expr& e, FactsReads* out, bool* reads_all) {
  using T = expr::Expr::Type;
  if (IsFactSelect(e)) {
    out->Whole(e.name);
    return;
  }
  if (e.type == T::kIdent && e.name == "facts") *reads_all = true;
  if (e.type == T::kComprehension && (e.iter_var == "facts" || e.iter_var2 == "facts")) *reads_all = true;
  // filter() gives the items themselves, so it reads them whole.
  if (e.type == T::kComprehension && e.iter_var2.empty() && e.macro != expr::MacroKind::kFilter && e.iter_range &&
      IsFactSelect(*e.iter_range) && !e.iter_range->test_only) {
    AddOnce(&out->read, e.iter_range->name);  // before the facts its body reads, as written
    std::vector<std::string> fields;
    bool only_fields = true;
    for (const expr::Expr* body : {e.predicate.get(), e.transform.get()}) {
      if (body == nullptr) continue;
      if (!SelectsOnlyFieldsOf(*body, e.iter_var, &fields)) only_fields = false;
      NoteFactsRead(*body, out, reads_all);
    }
    only_fields ? out->ItemFields(e.iter_range->name, fields) : out->Whole(e.iter_range->name);
    return;
  }
  AllChildren(e, [&](const expr::Expr& child) {
    NoteFactsRead(child, out, reads_all);
    return true;
  });
}

void NoteFactsRead(const expr::Expr& e, Condition* out) {
  FactsReads reads;
  NoteFactsRead(e, &reads, &out->reads_all_facts);
  out->facts_read = std::move(reads.read);
  out->item_fields_read.clear();
  for (auto& [fact, fields] : reads.item_fields) {
    if (std::find(reads.whole.begin(), reads.whole.end(), fact) == reads.whole.end()) {
      out->item_fields_read.emplace_back(fact, std::move(fields));
    }
  }
}

// Whether `e` reads anything but applicant.registered_in_shenzhen and applicant.serious_dishonesty
// (`*flags`: whether it reads one of those). Conservative: any other name, has(), and any
// comprehension (whose variable could be called applicant) count as reading more.
bool ReadsMoreThanApplicantFlags(const expr::Expr& e, bool* flags) {
  using T = expr::Expr::Type;
  if (e.type == T::kSelect && !e.test_only && e.operand && e.operand->type == T::kIdent &&
      e.operand->name == "applicant" && (e.name == "registered_in_shenzhen" || e.name == "serious_dishonesty")) {
    *flags = true;
    return false;
  }
  if (e.type == T::kIdent || e.type == T::kComprehension || (e.type == T::kSelect && e.test_only)) return true;
  return !AllChildren(e, [&](const expr::Expr& child) { return !ReadsMoreThanApplicantFlags(child, flags); });
}

// Whether `e` reads no variable but `facts.<name>` for one name (`*fact`, set here) and the
// policy's `data`. Conservative: any other name, has(), and any comprehension (whose variable
// could hide either) count as reading more.
bool ReadsOneFactAndData(const expr::Expr& e, std::string* fact) {
  using T = expr::Expr::Type;
  if (e.type == T::kSelect && !e.test_only && e.operand && e.operand->type == T::kIdent && e.operand->name == "facts") {
    if (!fact->empty() && *fact != e.name) return false;
    *fact = e.name;
    return true;
  }
  if (e.type == T::kIdent) return e.name == "data";
  if (e.type == T::kComprehension || (e.type == T::kSelect && e.test_only)) return false;
  return AllChildren(e, [&](const expr::Expr& child) { return ReadsOneFactAndData(child, fact); });
}

}  // namespace

std::shared_ptr<const expr::Program> CompileExpression(const YamlReader& reader, const YAML::Node& node,
                                                       const std::string& source, const expr::TypeEnv& env,
                                                       ExpectedType expected, Condition* facts_of) {
  expr::ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  if (!expr::Parse(source, expr::ParseOptions{}, &parsed, &diags)) {
    for (const auto& d : diags) reader.ExprError(node, source, d);
    return nullptr;
  }
  expr::CheckResult checked;
  if (!expr::Check(parsed, env, &checked, &diags)) {
    for (const auto& d : diags) reader.ExprError(node, source, d);
    return nullptr;
  }
  const CelType& t = checked.type;
  bool ok = t.is_dyn() || (expected == ExpectedType::kBool ? t.kind() == K::kBool : t.kind() == K::kInt);
  if (!ok) {
    Diagnostic d;
    d.pos = LocateOffset(source, 0);
    d.message =
        std::string(expected == ExpectedType::kBool ? "a condition must be bool" : "an amount must be int (fen)") +
        ", but this expression is " + t.ToString();
    reader.ExprError(node, source, d);
    return nullptr;
  }
  std::unique_ptr<expr::Program> program;
  if (!expr::Compile(parsed, expr::CompileOptions{}, &program, &diags)) {
    for (const auto& d : diags) reader.ExprError(node, source, d);
    return nullptr;
  }
  if (facts_of) {
    NoteFactsRead(*parsed.root, facts_of);
    bool flags = false;
    facts_of->reads_only_applicant_flags = !ReadsMoreThanApplicantFlags(*parsed.root, &flags) && flags;
    std::string fact;
    facts_of->memo_fact = ReadsOneFactAndData(*parsed.root, &fact) ? fact : "";
  }
  return program;
}

ConstantTruth EvaluateIfConstant(const expr::Program& program) {
  // With nothing bound, any read of a variable is an error; a bool result means the condition
  // decided without looking at the application.
  expr::MapActivation empty;
  expr::Value v = program.Evaluate(empty);
  if (v.kind() != expr::Kind::kBool) return ConstantTruth::kNotConstant;
  return v.bool_value() ? ConstantTruth::kAlwaysTrue : ConstantTruth::kAlwaysFalse;
}

namespace {

// Every variable unknown: what still fails comes from the literals alone.
class UnknownActivation : public expr::Activation {
 public:
  const expr::Value* Find(std::string_view) const override { return &unknown_; }

 private:
  expr::Value unknown_ = expr::Value::Unknown({"application"});
};

}  // namespace

std::string ConstantError(const expr::Program& program) {
  UnknownActivation unknown;
  expr::Value v = program.Evaluate(unknown);
  return v.is_error() ? v.error_message() : std::string();
}

}  // namespace qgrant::policy
