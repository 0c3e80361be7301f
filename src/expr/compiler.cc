// AST -> evaluation nodes. Resolves comprehension variables to slots, qualified names to their
// lookup candidates, operators and functions to their implementations, and constant regular
// expressions to compiled RE2 programs.
#include <algorithm>

#include "expr/eval_nodes.h"
#include "expr/program.h"
#include "expr/wrappers.h"

namespace qgrant::expr {

using internal::NodePtr;

const Value* MapActivation::Find(std::string_view name) const {
  if (!has_qualified_ && name.find('.') != std::string_view::npos) return nullptr;
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

namespace {

// Names that denote type values when nothing is bound to them.
bool IsTypeName(std::string_view n) {
  static const char* const kTypes[] = {"bool",
                                       "int",
                                       "uint",
                                       "double",
                                       "string",
                                       "bytes",
                                       "list",
                                       "map",
                                       "null_type",
                                       "type",
                                       "google.protobuf.Timestamp",
                                       "google.protobuf.Duration"};
  return std::find_if(std::begin(kTypes), std::end(kTypes), [&](const char* t) { return n == t; }) != std::end(kTypes);
}

class Compiler {
 public:
  explicit Compiler(const CompileOptions& options) : options_(options) {}

  NodePtr Compile(const Expr& e) {
    NodePtr node = CompileNode(e);
    node->set_offset(e.offset);
    return node;
  }

  int max_slots() const { return max_slots_; }

 private:
  NodePtr CompileNode(const Expr& e) {
    switch (e.type) {
      case Expr::Type::kConst:
        return std::make_unique<internal::ConstNode>(e.constant);
      case Expr::Type::kIdent:
      case Expr::Type::kSelect:
        return CompileNameOrSelect(e);
      case Expr::Type::kCall:
        return CompileCall(e);
      case Expr::Type::kList: {
        // A literal of constants (['enterprise', 'public_institution']) is built once here rather
        // than allocated again on every evaluation; values are immutable, so sharing is safe.
        if (AllConstant(e.args)) {
          ValueList items;
          items.reserve(e.args.size());
          for (const auto& a : e.args) items.push_back(a->constant);
          return std::make_unique<internal::ConstNode>(Value::List(std::move(items)));
        }
        std::vector<NodePtr> elems;
        for (const auto& a : e.args) elems.push_back(Compile(*a));
        return std::make_unique<internal::ListNode>(std::move(elems));
      }
      case Expr::Type::kMap: {
        // Likewise a map of constants, unless it is invalid (a repeated or unsupported key):
        // that stays an error raised, and located, at evaluation.
        if (AllConstant(e.args) && AllConstant(e.values)) {
          std::vector<std::pair<Value, Value>> entries;
          entries.reserve(e.args.size());
          for (size_t i = 0; i < e.args.size(); ++i) {
            entries.emplace_back(e.args[i]->constant, e.values[i]->constant);
          }
          std::string error;
          if (auto map = MapValue::Make(std::move(entries), &error)) {
            return std::make_unique<internal::ConstNode>(Value::Map(std::move(map)));
          }
        }
        std::vector<NodePtr> keys, values;
        for (size_t i = 0; i < e.args.size(); ++i) {
          keys.push_back(Compile(*e.args[i]));
          values.push_back(Compile(*e.values[i]));
        }
        return std::make_unique<internal::MapNode>(std::move(keys), std::move(values));
      }
      case Expr::Type::kStruct:
        return CompileStruct(e);
      case Expr::Type::kComprehension:
        return CompileComprehension(e);
    }
    return std::make_unique<internal::ConstNode>(Value::Error("unsupported expression"));
  }

  // Message construction: only the wrapper messages (wrappers.h). Other message types need
  // protobuf descriptors, which qgrant's CEL does not carry.
  NodePtr CompileStruct(const Expr& e) {
    const internal::Wrapper* w = internal::FindWrapper(e.name);
    if (w == nullptr) {
      return std::make_unique<internal::ConstNode>(Value::Error("unknown message type '" + e.name + "'", e.offset));
    }
    if (e.names.empty()) return std::make_unique<internal::ConstNode>(w->zero());
    if (e.names.size() != 1 || e.names[0] != "value" || w->from_value == nullptr) {
      return std::make_unique<internal::ConstNode>(
          Value::Error("no such field '" + e.names.back() + "' in " + e.name, e.offset));
    }
    std::vector<NodePtr> args;
    args.push_back(Compile(*e.values[0]));
    return std::make_unique<internal::CallNode>(e.name, w->from_value, std::move(args));
  }

  static bool AllConstant(const std::vector<ExprPtr>& exprs) {
    for (const auto& x : exprs) {
      if (x->type != Expr::Type::kConst || x->constant.is_exceptional()) return false;
    }
    return true;
  }

  int FindLocal(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return -1;
  }

  // Collects a.b.c into {"a","b","c"} when the chain is made of identifiers and plain selects.
  static bool NameChain(const Expr& e, std::vector<std::string>* parts) {
    if (e.type == Expr::Type::kIdent) {
      parts->push_back(e.name);
      return true;
    }
    if (e.type == Expr::Type::kSelect && !e.test_only && NameChain(*e.operand, parts)) {
      parts->push_back(e.name);
      return true;
    }
    return false;
  }

  NodePtr CompileNameOrSelect(const Expr& e) {
    std::vector<std::string> parts;
    if (!NameChain(e, &parts)) {
      // has(x.f) of a variable x the activation binds (not a comprehension's, not one of a
      // container, whose names are looked up first).
      const Expr& operand = *e.operand;
      if (e.test_only && operand.type == Expr::Type::kIdent && options_.container.empty() && !operand.name.empty() &&
          operand.name[0] != '.' && FindLocal(operand.name) < 0) {
        return std::make_unique<internal::HasFieldNode>(Compile(operand), operand.name, e.name);
      }
      // A selection on a computed value, or a has() test.
      return std::make_unique<internal::SelectNode>(Compile(operand), e.name, e.test_only);
    }
    bool rooted = !parts[0].empty() && parts[0][0] == '.';
    if (rooted) parts[0].erase(0, 1);
    if (!rooted) {
      int slot = FindLocal(parts[0]);
      if (slot >= 0) {
        NodePtr node = std::make_unique<internal::LocalNode>(slot);
        for (size_t i = 1; i < parts.size(); ++i) {
          node = std::make_unique<internal::SelectNode>(std::move(node), parts[i], false);
        }
        return node;
      }
    }
    // Longest qualified prefix first; each prefix tried inside the container, innermost first.
    std::vector<std::string> prefixes;
    if (!rooted && !options_.container.empty()) {
      std::string c = options_.container;
      while (true) {
        prefixes.push_back(c + ".");
        size_t dot = c.rfind('.');
        if (dot == std::string::npos) break;
        c.resize(dot);
      }
    }
    prefixes.push_back("");
    std::vector<internal::NameNode::Candidate> candidates;
    std::string full;
    for (size_t n = parts.size(); n >= 1; --n) {
      std::string name = parts[0];
      for (size_t i = 1; i < n; ++i) name += "." + parts[i];
      if (n == parts.size()) full = name;
      for (const auto& p : prefixes) {
        internal::NameNode::Candidate c;
        c.name = p + name;
        c.fields.assign(parts.begin() + static_cast<long>(n), parts.end());
        candidates.push_back(std::move(c));
      }
    }
    Value fallback = IsTypeName(full) ? Value::Type(full) : Value::Error("undeclared reference to '" + full + "'");
    return std::make_unique<internal::NameNode>(full, std::move(candidates), std::move(fallback));
  }

  NodePtr CompileCall(const Expr& e) {
    const std::string& fn = e.name;
    if (!e.operand) {
      if ((fn == "_&&_" || fn == "_||_") && e.args.size() == 2) {
        return std::make_unique<internal::LogicalNode>(fn == "_&&_", Compile(*e.args[0]), Compile(*e.args[1]));
      }
      if (fn == "_?_:_" && e.args.size() == 3) {
        return std::make_unique<internal::TernaryNode>(Compile(*e.args[0]), Compile(*e.args[1]), Compile(*e.args[2]));
      }
      if (fn == "@in" && e.args.size() == 2 && e.args[1]->type == Expr::Type::kList && AllConstant(e.args[1]->args)) {
        ValueList items;
        items.reserve(e.args[1]->args.size());
        for (const auto& a : e.args[1]->args) items.push_back(a->constant);
        return std::make_unique<internal::InConstListNode>(Compile(*e.args[0]), std::move(items));
      }
      if ((fn == "_==_" || fn == "_!=_") && e.args.size() == 2) {
        return std::make_unique<internal::EqualsNode>(fn == "_!=_", Compile(*e.args[0]), Compile(*e.args[1]));
      }
    }
    // matches() with a constant pattern: compile the regular expression once. An invalid one
    // is the checker's to report; here it stays an error of the call, raised only if the call
    // is evaluated (MatchesNode), so that unchecked expressions stay fully dynamic.
    if (fn == "matches") {
      const Expr* target = e.operand ? e.operand.get() : (e.args.size() == 2 ? e.args[0].get() : nullptr);
      const Expr* pattern = e.operand ? (e.args.size() == 1 ? e.args[0].get() : nullptr)
                                      : (e.args.size() == 2 ? e.args[1].get() : nullptr);
      if (target && pattern && pattern->type == Expr::Type::kConst && pattern->constant.kind() == Kind::kString) {
        auto re = std::make_unique<RE2>(pattern->constant.string_value(), RE2::Quiet);
        return std::make_unique<internal::MatchesNode>(Compile(*target), std::move(re));
      }
    }
    std::vector<NodePtr> args;
    if (e.operand) args.push_back(Compile(*e.operand));
    for (const auto& a : e.args) args.push_back(Compile(*a));
    internal::FunctionImpl impl = internal::FindFunction(fn, e.operand != nullptr, args.size());
    const bool constant_args =
        impl != nullptr && (!e.operand || e.operand->type == Expr::Type::kConst) && AllConstant(e.args);
    auto call = std::make_unique<internal::CallNode>(fn, impl, std::move(args));
    if (constant_args) {
      // Every function of the standard library is pure, so a call on literals (timestamp('2025-
      // 01-01T00:00:00+08:00'), say) is worked out once, here, not at every evaluation. A call
      // that fails stays a call: its error is raised, and located, when it is evaluated.
      class NoVariables : public Activation {
        const Value* Find(std::string_view) const override { return nullptr; }
      } none;
      internal::Frame frame{&none, nullptr, EvaluateOptions::kDefaultMaxCost, EvaluateOptions::kDefaultMaxCost};
      call->set_offset(e.offset);
      Value v = call->Eval(frame);
      if (!v.is_exceptional()) return std::make_unique<internal::ConstNode>(std::move(v));
    }
    return call;
  }

  NodePtr CompileComprehension(const Expr& e) {
    NodePtr range = Compile(*e.iter_range);
    int slot1 = next_slot_++;
    int slot2 = e.iter_var2.empty() ? -1 : next_slot_++;
    max_slots_ = std::max(max_slots_, next_slot_);
    scopes_.emplace_back(e.iter_var, slot1);
    if (slot2 >= 0) scopes_.emplace_back(e.iter_var2, slot2);
    NodePtr predicate = e.predicate ? Compile(*e.predicate) : nullptr;
    NodePtr transform = e.transform ? Compile(*e.transform) : nullptr;
    scopes_.pop_back();
    if (slot2 >= 0) scopes_.pop_back();
    next_slot_ -= slot2 >= 0 ? 2 : 1;
    return std::make_unique<internal::ComprehensionNode>(e.macro, std::move(range), slot1, slot2, std::move(predicate),
                                                         std::move(transform));
  }

  const CompileOptions& options_;
  std::vector<std::pair<std::string, int>> scopes_;
  int next_slot_ = 0;
  int max_slots_ = 0;
};

}  // namespace

Program::~Program() = default;

Value Program::Evaluate(const Activation& activation, const EvaluateOptions& options) const {
  Value small[8];
  std::vector<Value> large;
  Value* locals = small;
  if (local_slots_ > 8) {
    large.resize(static_cast<size_t>(local_slots_));
    locals = large.data();
  }
  // Capped so that the budget arithmetic (remaining budget + one value's size) cannot overflow.
  const int64_t budget = std::clamp<int64_t>(options.max_cost, 0, INT64_MAX / 4);
  internal::Frame frame{&activation, locals, budget, budget};
  Value result = root_->Eval(frame);
  // An overspent budget is the answer even where && or || absorbed the error on its way out:
  // a result reached by abandoning part of the work is not the expression's value.
  if (frame.cost_left < 0 && !(result.is_error() && result.error_message().starts_with(kCostLimitMessage))) {
    return internal::CostLimitError(frame);
  }
  return result;
}

bool Compile(const ParsedExpr& parsed, const CompileOptions& options, std::unique_ptr<Program>* program,
             std::vector<Diagnostic>* diagnostics) {
  if (!parsed.root) {
    Diagnostic d;
    d.message = "nothing to compile: the expression did not parse";
    diagnostics->push_back(std::move(d));
    return false;
  }
  Compiler compiler(options);
  NodePtr root = compiler.Compile(*parsed.root);
  std::unique_ptr<Program> p(new Program());
  p->root_ = std::move(root);
  p->local_slots_ = compiler.max_slots();
  *program = std::move(p);
  return true;
}

}  // namespace qgrant::expr
