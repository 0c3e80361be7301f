#include "expr/checker.h"

#include <re2/re2.h>

#include <map>

#include "expr/wrappers.h"

namespace qgrant::expr {
namespace {

using K = CelType::Kind;

bool IsNumeric(const CelType& t) { return t.kind() == K::kInt || t.kind() == K::kUint || t.kind() == K::kDouble; }

// Type parameter bindings while matching one overload.
using Bindings = std::map<std::string, CelType>;

CelType Substitute(const CelType& t, const Bindings& b) {
  switch (t.kind()) {
    case K::kParam: {
      auto it = b.find(t.name());
      return it == b.end() ? CelType::Dyn() : it->second;
    }
    case K::kList:
      return CelType::List(Substitute(t.param(0), b));
    case K::kMap:
      return CelType::Map(Substitute(t.param(0), b), Substitute(t.param(1), b));
    case K::kType:
      return t.param_count() ? CelType::TypeOf(Substitute(t.param(0), b)) : t;
    default:
      return t;
  }
}

// Whether a value of type `arg` may be passed where `param` is expected, binding parameters.
bool Assignable(const CelType& param, const CelType& arg, Bindings* b) {
  if (param.kind() == K::kParam) {
    auto it = b->find(param.name());
    if (it == b->end()) {
      (*b)[param.name()] = arg;
      return true;
    }
    if (it->second.is_dyn()) {
      it->second = arg;
      return true;
    }
    if (arg.is_dyn()) return true;
    Bindings scratch = *b;
    return Assignable(it->second, arg, &scratch);
  }
  if (param.is_dyn() || arg.is_dyn()) return true;
  if (arg.kind() == K::kObject && param.kind() == K::kMap) {
    // An object is a map with string keys and values of its fields' types.
    return Assignable(param.param(0), CelType::Of(K::kString), b) && Assignable(param.param(1), CelType::Dyn(), b);
  }
  if (param.kind() != arg.kind()) return false;
  for (size_t i = 0; i < param.param_count() && i < arg.param_count(); ++i) {
    if (!Assignable(param.param(i), arg.param(i), b)) return false;
  }
  return true;
}

// The type that covers both: the same type, or dyn.
CelType Join(const CelType& a, const CelType& b) {
  if (a.kind() == K::kError) return b;
  if (b.kind() == K::kError) return a;
  if (a == b) return a;
  if (a.kind() == b.kind() && a.kind() == K::kList) return CelType::List(Join(a.param(0), b.param(0)));
  if (a.kind() == b.kind() && a.kind() == K::kMap) {
    return CelType::Map(Join(a.param(0), b.param(0)), Join(a.param(1), b.param(1)));
  }
  return CelType::Dyn();
}

bool IsTypeName(std::string_view n, CelType* t) {
  static const std::pair<const char*, K> kNames[] = {{"bool", K::kBool},
                                                     {"int", K::kInt},
                                                     {"uint", K::kUint},
                                                     {"double", K::kDouble},
                                                     {"string", K::kString},
                                                     {"bytes", K::kBytes},
                                                     {"null_type", K::kNull},
                                                     {"google.protobuf.Timestamp", K::kTimestamp},
                                                     {"google.protobuf.Duration", K::kDuration}};
  for (const auto& [name, k] : kNames) {
    if (n == name) {
      *t = CelType::TypeOf(CelType::Of(k));
      return true;
    }
  }
  if (n == "list")
    *t = CelType::TypeOf(CelType::List(CelType::Dyn()));
  else if (n == "map")
    *t = CelType::TypeOf(CelType::Map(CelType::Dyn(), CelType::Dyn()));
  else if (n == "type")
    *t = CelType::TypeOf(CelType::TypeOf(CelType::Dyn()));
  else
    return false;
  return true;
}

class Checker {
 public:
  Checker(const TypeEnv& env, const ParsedExpr& parsed, std::vector<Diagnostic>* diags)
      : env_(env), parsed_(parsed), diags_(diags) {}

  CelType Visit(const Expr& e) {
    switch (e.type) {
      case Expr::Type::kConst:
        return ConstType(e.constant);
      case Expr::Type::kIdent:
      case Expr::Type::kSelect:
        return VisitNameOrSelect(e);
      case Expr::Type::kCall:
        return VisitCall(e);
      case Expr::Type::kList: {
        CelType elem = CelType::Of(K::kError);
        for (const auto& a : e.args) elem = Join(elem, Visit(*a));
        return CelType::List(elem.kind() == K::kError ? CelType::Dyn() : elem);
      }
      case Expr::Type::kMap: {
        CelType key = CelType::Of(K::kError), value = CelType::Of(K::kError);
        for (size_t i = 0; i < e.args.size(); ++i) {
          CelType kt = Visit(*e.args[i]);
          if (!kt.is_dyn() && kt.kind() != K::kBool && kt.kind() != K::kInt && kt.kind() != K::kUint &&
              kt.kind() != K::kString) {
            Error(e.args[i]->offset, "unsupported map key type '" + kt.ToString() + "'");
          }
          key = Join(key, kt);
          value = Join(value, Visit(*e.values[i]));
        }
        return CelType::Map(key.kind() == K::kError ? CelType::Dyn() : key,
                            value.kind() == K::kError ? CelType::Dyn() : value);
      }
      case Expr::Type::kStruct:
        return VisitStruct(e);
      case Expr::Type::kComprehension:
        return VisitComprehension(e);
    }
    return CelType::Dyn();
  }

 private:
  void Error(int32_t offset, std::string message) {
    Diagnostic d;
    d.pos = LocateOffset(parsed_.source, offset);
    d.message = std::move(message);
    diags_->push_back(std::move(d));
  }

  static CelType ConstType(const Value& v) {
    switch (v.kind()) {
      case Kind::kNull:
        return CelType::Of(K::kNull);
      case Kind::kBool:
        return CelType::Of(K::kBool);
      case Kind::kInt:
        return CelType::Of(K::kInt);
      case Kind::kUint:
        return CelType::Of(K::kUint);
      case Kind::kDouble:
        return CelType::Of(K::kDouble);
      case Kind::kString:
        return CelType::Of(K::kString);
      case Kind::kBytes:
        return CelType::Of(K::kBytes);
      default:
        return CelType::Of(K::kError);  // a syntax-error placeholder
    }
  }

  const CelType* FindLocal(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (it->first == name) return &it->second;
    }
    return nullptr;
  }

  static bool NameChain(const Expr& e, std::vector<const Expr*>* parts) {
    if (e.type == Expr::Type::kIdent) {
      parts->push_back(&e);
      return true;
    }
    if (e.type == Expr::Type::kSelect && !e.test_only && NameChain(*e.operand, parts)) {
      parts->push_back(&e);
      return true;
    }
    return false;
  }

  // Looks a qualified name up through the container, innermost first.
  const CelType* LookupVariable(const std::string& name, bool rooted) const {
    if (!rooted && !env_.container.empty()) {
      std::string c = env_.container;
      while (true) {
        if (const CelType* t = env_.FindVariable(c + "." + name)) return t;
        size_t dot = c.rfind('.');
        if (dot == std::string::npos) break;
        c.resize(dot);
      }
    }
    return env_.FindVariable(name);
  }

  CelType SelectType(const CelType& operand, const Expr& e) {
    if (operand.is_dyn()) return e.test_only ? CelType::Of(K::kBool) : CelType::Dyn();
    if (operand.kind() == K::kObject) {
      const CelType* field = operand.FindField(e.name);
      if (field == nullptr) {
        Error(e.offset,
              "unknown field '" + e.name + "' in " + operand.name() + " (declared: " + operand.FieldNames() + ")");
        return CelType::Of(K::kError);
      }
      return e.test_only ? CelType::Of(K::kBool) : *field;
    }
    if (operand.kind() == K::kMap) {
      if (!operand.param(0).is_dyn() && operand.param(0).kind() != K::kString) {
        Error(e.offset, "field selection '." + e.name + "' on a map with " + operand.param(0).ToString() + " keys");
        return CelType::Of(K::kError);
      }
      return e.test_only ? CelType::Of(K::kBool) : operand.param(1);
    }
    Error(e.offset, "type '" + operand.ToString() + "' has no field '" + e.name + "'");
    return CelType::Of(K::kError);
  }

  CelType VisitNameOrSelect(const Expr& e) {
    std::vector<const Expr*> parts;
    if (!NameChain(e, &parts)) return SelectType(Visit(*e.operand), e);
    std::string first = parts[0]->name;
    bool rooted = !first.empty() && first[0] == '.';
    if (rooted) first.erase(0, 1);
    if (!rooted) {
      if (const CelType* local = FindLocal(first)) {
        CelType t = *local;
        for (size_t i = 1; i < parts.size(); ++i) t = SelectType(t, *parts[i]);
        return t;
      }
    }
    // Longest declared prefix wins; the rest are field selections.
    for (size_t n = parts.size(); n >= 1; --n) {
      std::string name = first;
      for (size_t i = 1; i < n; ++i) name += "." + parts[i]->name;
      if (const CelType* t = LookupVariable(name, rooted)) {
        CelType cur = *t;
        for (size_t i = n; i < parts.size(); ++i) cur = SelectType(cur, *parts[i]);
        return cur;
      }
      CelType type_value;
      if (n == parts.size() && IsTypeName(name, &type_value)) return type_value;
    }
    Error(parts[0]->offset, "undeclared reference to '" + first + "'");
    return CelType::Of(K::kError);
  }

  std::string ArgList(const std::vector<CelType>& args) {
    std::string s = "(";
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i].ToString();
    return s + ")";
  }

  CelType VisitCall(const Expr& e) {
    std::vector<CelType> args;
    if (e.operand) args.push_back(Visit(*e.operand));
    for (const auto& a : e.args) args.push_back(Visit(*a));
    for (const auto& a : args) {
      if (a.kind() == K::kError) return CelType::Of(K::kError);  // reported already
    }
    const std::string& fn = e.name;
    if (!e.operand) {
      if (fn == "_&&_" || fn == "_||_" || fn == "_?_:_") {
        const CelType& c = args[0];
        if (!c.is_dyn() && c.kind() != K::kBool) {
          Error(e.args[0]->offset, "expected bool, found " + c.ToString() + " in '" + fn + "'");
        }
        if (fn == "_?_:_") return Join(args[1], args[2]);
        if (!args[1].is_dyn() && args[1].kind() != K::kBool) {
          Error(e.args[1]->offset, "expected bool, found " + args[1].ToString() + " in '" + fn + "'");
        }
        return CelType::Of(K::kBool);
      }
      if (fn == "_==_" || fn == "_!=_") {
        const CelType &a = args[0], &b = args[1];
        bool comparable = a.is_dyn() || b.is_dyn() || a.kind() == b.kind() || (IsNumeric(a) && IsNumeric(b)) ||
                          a.kind() == K::kNull || b.kind() == K::kNull;
        if (!comparable) {
          Error(e.offset, "comparison of " + a.ToString() + " with " + b.ToString() + " is always " +
                              (fn == "_==_" ? "false" : "true"));
        }
        return CelType::Of(K::kBool);
      }
      if (fn == "_<_" || fn == "_<=_" || fn == "_>_" || fn == "_>=_") {
        const CelType &a = args[0], &b = args[1];
        auto orderable = [](const CelType& t) {
          return t.is_dyn() || IsNumeric(t) || t.kind() == K::kBool || t.kind() == K::kString ||
                 t.kind() == K::kBytes || t.kind() == K::kTimestamp || t.kind() == K::kDuration;
        };
        bool ok = orderable(a) && orderable(b) &&
                  (a.is_dyn() || b.is_dyn() || a.kind() == b.kind() || (IsNumeric(a) && IsNumeric(b)));
        if (!ok) Error(e.offset, "found no matching overload for '" + fn + "' applied to " + ArgList(args));
        return CelType::Of(K::kBool);
      }
    }
    const std::vector<Overload>* overloads = env_.FindFunction(fn);
    if (overloads == nullptr) {
      Error(e.offset, "undeclared reference to function '" + fn + "'");
      return CelType::Of(K::kError);
    }
    bool found = false;
    CelType result;
    for (const Overload& o : *overloads) {
      if (o.receiver != (e.operand != nullptr) || o.params.size() != args.size()) continue;
      Bindings b;
      bool ok = true;
      for (size_t i = 0; i < args.size() && ok; ++i) ok = Assignable(o.params[i], args[i], &b);
      if (!ok) continue;
      CelType r = Substitute(o.result, b);
      result = found ? Join(result, r) : r;
      found = true;
    }
    if (!found) {
      Error(e.offset, "found no matching overload for '" + fn + "' applied to " + ArgList(args));
      return CelType::Of(K::kError);
    }
    if (fn == "matches") CheckConstantPattern(e);
    return result;
  }

  // A constant pattern that RE2 rejects can be reported before any evaluation. (Unchecked, it
  // is an error of the call when evaluated; see MatchesNode.)
  void CheckConstantPattern(const Expr& e) {
    const Expr* pattern = e.args.empty() ? nullptr : e.args.back().get();
    if (pattern == nullptr || pattern->type != Expr::Type::kConst || pattern->constant.kind() != Kind::kString) return;
    RE2 re(pattern->constant.string_value(), RE2::Quiet);
    if (!re.ok()) Error(pattern->offset, "invalid regular expression: " + re.error());
  }

  // Only the wrapper messages (wrappers.h) are known: a wrapper has the type of the primitive
  // it holds, and its one field `value` must have that type.
  CelType VisitStruct(const Expr& e) {
    const internal::Wrapper* w = internal::FindWrapper(e.name);
    if (w == nullptr) {
      Error(e.offset, "undeclared message type '" + e.name + "'");
      return CelType::Of(K::kError);
    }
    bool ok = true;
    for (size_t i = 0; i < e.names.size(); ++i) {
      CelType t = Visit(*e.values[i]);
      if (e.names[i] != "value" || w->from_value == nullptr) {
        Error(e.values[i]->offset, "no such field '" + e.names[i] + "' in " + e.name);
        ok = false;
      } else if (!t.is_dyn() && t.kind() != w->type) {
        Error(e.values[i]->offset, "expected " + CelType::Of(w->type).ToString() + ", found " + t.ToString() +
                                       " for field 'value' of " + e.name);
        ok = false;
      }
    }
    if (!ok) return CelType::Of(K::kError);
    return w->type == K::kDyn ? CelType::Dyn() : CelType::Of(w->type);
  }

  CelType VisitComprehension(const Expr& e) {
    CelType range = Visit(*e.iter_range);
    CelType var1 = CelType::Dyn(), var2 = CelType::Dyn();
    if (range.kind() == K::kList) {
      var1 = e.iter_var2.empty() ? range.param(0) : CelType::Of(K::kInt);
      var2 = range.param(0);
    } else if (range.kind() == K::kMap) {
      var1 = range.param(0);
      var2 = range.param(1);
    } else if (!range.is_dyn()) {
      Error(e.iter_range->offset,
            "expression of type '" + range.ToString() + "' cannot be the range of a comprehension");
    }
    scopes_.emplace_back(e.iter_var, var1);
    if (!e.iter_var2.empty()) scopes_.emplace_back(e.iter_var2, var2);
    CelType pred = e.predicate ? Visit(*e.predicate) : CelType::Of(K::kBool);
    if (!pred.is_dyn() && pred.kind() != K::kBool) {
      Error(e.predicate->offset, "expected a bool condition, found " + pred.ToString());
    }
    CelType trans = e.transform ? Visit(*e.transform) : CelType::Dyn();
    scopes_.pop_back();
    if (!e.iter_var2.empty()) scopes_.pop_back();
    switch (e.macro) {
      case MacroKind::kAll:
      case MacroKind::kExists:
      case MacroKind::kExistsOne:
        return CelType::Of(K::kBool);
      case MacroKind::kMap:
        return CelType::List(trans);
      case MacroKind::kFilter:
        return CelType::List(var1);
      case MacroKind::kTransformMap:
        return CelType::Map(var1, trans);
      case MacroKind::kTransformMapEntry:
        return trans.kind() == K::kMap ? trans : CelType::Map(CelType::Dyn(), CelType::Dyn());
    }
    return CelType::Dyn();
  }

  const TypeEnv& env_;
  const ParsedExpr& parsed_;
  std::vector<Diagnostic>* diags_;
  std::vector<std::pair<std::string, CelType>> scopes_;
};

}  // namespace

bool Check(const ParsedExpr& parsed, const TypeEnv& env, CheckResult* result, std::vector<Diagnostic>* diagnostics) {
  if (!parsed.root) return false;
  size_t before = diagnostics->size();
  Checker checker(env, parsed, diagnostics);
  result->type = checker.Visit(*parsed.root);
  return diagnostics->size() == before;
}

}  // namespace qgrant::expr
