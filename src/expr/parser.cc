#include "expr/parser.h"

#include <utility>

#include "expr/lexer.h"

namespace qgrant::expr {
namespace {

// The parser bounds its own recursion, but left-associative chains are built by loops, so the
// tree it returns can be much deeper than the recursion was (a chain of 190 additions inside
// each of 90 nested parentheses is 17000 levels deep). Every later stage (checker, compiler,
// evaluator, destructors) recurses over the tree, so its depth is checked here, without
// recursion: the first node found deeper than `limit`, or nullptr.
const Expr* FindTooDeep(const Expr& root, int limit) {
  std::vector<std::pair<const Expr*, int>> stack = {{&root, 1}};
  while (!stack.empty()) {
    auto [e, depth] = stack.back();
    stack.pop_back();
    if (depth > limit) return e;
    auto push = [&, depth = depth](const ExprPtr& child) {
      if (child) stack.emplace_back(child.get(), depth + 1);
    };
    push(e->operand);
    for (const auto& a : e->args) push(a);
    for (const auto& v : e->values) push(v);
    push(e->iter_range);
    push(e->predicate);
    push(e->transform);
  }
  return nullptr;
}

// Destroys a tree of any depth without recursion (the destructor of Expr recurses).
void DestroyIteratively(ExprPtr root) {
  std::vector<ExprPtr> stack;
  stack.push_back(std::move(root));
  while (!stack.empty()) {
    ExprPtr e = std::move(stack.back());
    stack.pop_back();
    if (!e) continue;
    stack.push_back(std::move(e->operand));
    for (auto& a : e->args) stack.push_back(std::move(a));
    for (auto& v : e->values) stack.push_back(std::move(v));
    stack.push_back(std::move(e->iter_range));
    stack.push_back(std::move(e->predicate));
    stack.push_back(std::move(e->transform));
    // `e` now has no children and is destroyed here.
  }
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const ParseOptions& options, ParsedExpr* out, std::vector<Diagnostic>* diagnostics)
      : tokens_(std::move(tokens)), options_(options), out_(out), diags_(diagnostics) {}

  ExprPtr ParseAll() {
    ExprPtr e = ParseExpr();
    if (Peek().kind != TokenKind::kEnd)
      Error(Peek().offset, "unexpected " + Describe(Peek()) + " after the expression");
    return e;
  }

  // Subtrees dropped on error paths, for Parse() to destroy without recursion.
  std::vector<ExprPtr> TakeDiscarded() { return std::move(discarded_); }

 private:
  const Token& Peek(size_t k = 0) const {
    size_t i = pos_ + k;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  bool At(TokenKind k) const { return Peek().kind == k; }
  const Token& Take() {
    const Token& t = Peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool Accept(TokenKind k) {
    if (!At(k)) return false;
    Take();
    return true;
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEnd:
        return "end of input";
      case TokenKind::kIdent:
        return "'" + t.text + "'";
      default:
        return t.text.empty() ? "token" : "'" + t.text + "'";
    }
  }

  void Error(int32_t offset, std::string message) {
    if (diags_->size() >= options_.max_errors) return;
    // One error per position: later ones at the same place are consequences of the first.
    if (!diags_->empty() && diags_->back().pos.offset == offset) return;
    Diagnostic d;
    d.pos.offset = offset;
    d.message = std::move(message);
    diags_->push_back(std::move(d));
  }

  void Expect(TokenKind k, const char* what) {
    if (Accept(k)) return;
    Error(Peek().offset, std::string("expected ") + what + ", found " + Describe(Peek()));
  }

  ExprPtr NewExpr(Expr::Type type, int32_t offset) {
    auto e = std::make_unique<Expr>();
    e->type = type;
    e->id = out_->next_id++;
    e->offset = offset;
    return e;
  }

  ExprPtr NewCall(std::string fn, int32_t offset, std::vector<ExprPtr> args) {
    ExprPtr e = NewExpr(Expr::Type::kCall, offset);
    e->name = std::move(fn);
    e->args = std::move(args);
    return e;
  }

  ExprPtr ErrorExpr(int32_t offset) {
    ExprPtr e = NewExpr(Expr::Type::kConst, offset);
    e->constant = Value::Error("syntax error");
    return e;
  }

  // Guards recursion; returns false (after reporting) when too deep.
  struct DepthGuard {
    explicit DepthGuard(Parser* p) : p(p) { ++p->depth_; }
    ~DepthGuard() { --p->depth_; }
    Parser* p;
  };
  bool TooDeep() {
    if (depth_ <= options_.max_recursion_depth) return false;
    if (!too_deep_reported_) {
      Error(Peek().offset, "expression nests too deeply (limit " + std::to_string(options_.max_recursion_depth) + ")");
      too_deep_reported_ = true;
    }
    return true;
  }

  // Expr = ConditionalOr ['?' ConditionalOr ':' Expr]
  ExprPtr ParseExpr() {
    DepthGuard g(this);
    if (TooDeep()) {
      pos_ = tokens_.size() - 1;
      return ErrorExpr(Peek().offset);
    }
    ExprPtr cond = ParseOr();
    if (!At(TokenKind::kQuestion)) return cond;
    int32_t off = Take().offset;
    ExprPtr a = ParseOr();
    Expect(TokenKind::kColon, "':' of the conditional");
    ExprPtr b = ParseExpr();
    std::vector<ExprPtr> args;
    args.push_back(std::move(cond));
    args.push_back(std::move(a));
    args.push_back(std::move(b));
    return NewCall("_?_:_", off, std::move(args));
  }

  // The binary levels, loosest first. Each is left-associative: a - b - c is (a - b) - c.
  static const char* OrOp(TokenKind k) { return k == TokenKind::kOr ? "_||_" : nullptr; }
  static const char* AndOp(TokenKind k) { return k == TokenKind::kAnd ? "_&&_" : nullptr; }
  static const char* RelationOp(TokenKind k) {
    switch (k) {
      case TokenKind::kLt:
        return "_<_";
      case TokenKind::kLe:
        return "_<=_";
      case TokenKind::kGt:
        return "_>_";
      case TokenKind::kGe:
        return "_>=_";
      case TokenKind::kEq:
        return "_==_";
      case TokenKind::kNe:
        return "_!=_";
      case TokenKind::kIn:
        return "@in";
      default:
        return nullptr;
    }
  }
  static const char* AdditionOp(TokenKind k) {
    return k == TokenKind::kPlus ? "_+_" : k == TokenKind::kMinus ? "_-_" : nullptr;
  }
  static const char* MultiplicationOp(TokenKind k) {
    return k == TokenKind::kStar ? "_*_" : k == TokenKind::kSlash ? "_/_" : k == TokenKind::kPercent ? "_%_" : nullptr;
  }

  ExprPtr ParseOr() { return ParseBinary(&Parser::ParseAnd, OrOp); }
  ExprPtr ParseAnd() { return ParseBinary(&Parser::ParseRelation, AndOp); }
  ExprPtr ParseRelation() { return ParseBinary(&Parser::ParseAddition, RelationOp); }
  ExprPtr ParseAddition() { return ParseBinary(&Parser::ParseMultiplication, AdditionOp); }
  ExprPtr ParseMultiplication() { return ParseBinary(&Parser::ParseUnary, MultiplicationOp); }

  // A chain of n operators makes a tree n deep, so the chain counts against the depth limit.
  ExprPtr ParseBinary(ExprPtr (Parser::*operand)(), const char* (*op_of)(TokenKind)) {
    ExprPtr left = (this->*operand)();
    int chain = 0;
    while (const char* op = op_of(Peek().kind)) {
      int32_t off = Take().offset;
      ExprPtr right = (this->*operand)();
      std::vector<ExprPtr> args;
      args.push_back(std::move(left));
      args.push_back(std::move(right));
      left = NewCall(op, off, std::move(args));
      if (depth_ + ++chain > options_.max_recursion_depth && !too_deep_reported_) {
        Error(off, "expression nests too deeply (limit " + std::to_string(options_.max_recursion_depth) + ")");
        too_deep_reported_ = true;
      }
      if (too_deep_reported_) {
        pos_ = tokens_.size() - 1;
        break;
      }
    }
    return left;
  }

  // Unary = Member | '!' {'!'} Member | '-' {'-'} Member. A minus directly before a number
  // literal is part of the literal, so -9223372036854775808 is the smallest int.
  ExprPtr ParseUnary() {
    DepthGuard g(this);
    if (TooDeep()) {
      pos_ = tokens_.size() - 1;
      return ErrorExpr(Peek().offset);
    }
    if (At(TokenKind::kBang)) {
      int32_t off = Take().offset;
      std::vector<ExprPtr> args;
      args.push_back(ParseUnary());
      return NewCall("!_", off, std::move(args));
    }
    if (At(TokenKind::kMinus)) {
      const Token& next = Peek(1);
      if (next.kind == TokenKind::kInt || next.kind == TokenKind::kDouble) {
        int32_t off = Take().offset;
        const Token& lit = Take();
        ExprPtr e = NewExpr(Expr::Type::kConst, off);
        if (lit.kind == TokenKind::kInt) {
          e->constant = Value::Int(static_cast<int64_t>(0 - lit.int_magnitude));
        } else {
          e->constant = Value::Double(-lit.value.double_value());
        }
        return ParseMemberSuffix(std::move(e));
      }
      int32_t off = Take().offset;
      std::vector<ExprPtr> args;
      args.push_back(ParseUnary());
      return NewCall("-_", off, std::move(args));
    }
    return ParseMember();
  }

  ExprPtr ParseMember() { return ParseMemberSuffix(ParsePrimary()); }

  // Member '.' SELECTOR ['(' args ')'] | Member '[' Expr ']' | Member '{' fields '}'
  ExprPtr ParseMemberSuffix(ExprPtr e) {
    for (int chain = 1;; ++chain) {
      if (depth_ + chain > options_.max_recursion_depth) {
        if (!too_deep_reported_) {
          Error(Peek().offset,
                "expression nests too deeply (limit " + std::to_string(options_.max_recursion_depth) + ")");
          too_deep_reported_ = true;
        }
        pos_ = tokens_.size() - 1;
        return e;
      }
      if (At(TokenKind::kDot)) {
        int32_t off = Take().offset;
        const Token& sel = Peek();
        std::string field;
        if (sel.kind == TokenKind::kIdent || sel.kind == TokenKind::kTrue || sel.kind == TokenKind::kFalse ||
            sel.kind == TokenKind::kNull || sel.kind == TokenKind::kIn) {
          field = sel.text;
          Take();
        } else {
          Error(sel.offset, "expected a field name after '.', found " + Describe(sel));
          return e;
        }
        if (At(TokenKind::kLParen) && !sel.quoted_ident) {
          int32_t call_off = Take().offset;
          std::vector<ExprPtr> args = ParseArgs(TokenKind::kRParen, "')'");
          e = MakeReceiverCall(std::move(field), call_off, std::move(e), std::move(args));
        } else {
          ExprPtr s = NewExpr(Expr::Type::kSelect, off);
          s->name = std::move(field);
          s->operand = std::move(e);
          e = std::move(s);
        }
      } else if (At(TokenKind::kLBracket)) {
        int32_t off = Take().offset;
        ExprPtr index = ParseExpr();
        Expect(TokenKind::kRBracket, "']'");
        std::vector<ExprPtr> args;
        args.push_back(std::move(e));
        args.push_back(std::move(index));
        e = NewCall("_[_]", off, std::move(args));
      } else if (At(TokenKind::kLBrace) && IsQualifiedName(*e)) {
        e = ParseStruct(std::move(e));
      } else {
        return e;
      }
    }
  }

  static bool IsQualifiedName(const Expr& e) {
    if (e.type == Expr::Type::kIdent) return true;
    return e.type == Expr::Type::kSelect && !e.test_only && IsQualifiedName(*e.operand);
  }
  static std::string QualifiedName(const Expr& e) {
    if (e.type == Expr::Type::kIdent) return e.name;
    return QualifiedName(*e.operand) + "." + e.name;
  }

  ExprPtr ParseStruct(ExprPtr type_name) {
    int32_t off = Take().offset;
    ExprPtr s = NewExpr(Expr::Type::kStruct, off);
    s->name = QualifiedName(*type_name);
    while (!At(TokenKind::kRBrace) && !At(TokenKind::kEnd)) {
      const Token& f = Peek();
      if (f.kind != TokenKind::kIdent) {
        Error(f.offset, "expected a field name, found " + Describe(f));
        break;
      }
      Take();
      Expect(TokenKind::kColon, "':'");
      s->names.push_back(f.text);
      s->values.push_back(ParseExpr());
      if (!Accept(TokenKind::kComma)) break;
    }
    Expect(TokenKind::kRBrace, "'}'");
    return s;
  }

  std::vector<ExprPtr> ParseArgs(TokenKind close, const char* close_text) {
    std::vector<ExprPtr> args;
    if (Accept(close)) return args;
    while (true) {
      args.push_back(ParseExpr());
      if (Accept(TokenKind::kComma)) {
        if (close != TokenKind::kRParen && At(close)) break;  // trailing comma in a list
        continue;
      }
      break;
    }
    Expect(close, close_text);
    return args;
  }

  ExprPtr ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kInt: {
        Take();
        if (t.int_overflow) {
          Error(t.offset, "integer literal out of range: " + t.text);
          return ErrorExpr(t.offset);
        }
        ExprPtr e = NewExpr(Expr::Type::kConst, t.offset);
        e->constant = Value::Int(static_cast<int64_t>(t.int_magnitude));
        return e;
      }
      case TokenKind::kUint:
      case TokenKind::kDouble:
      case TokenKind::kString:
      case TokenKind::kBytes: {
        Take();
        ExprPtr e = NewExpr(Expr::Type::kConst, t.offset);
        e->constant = t.value;
        return e;
      }
      case TokenKind::kTrue:
      case TokenKind::kFalse: {
        Take();
        ExprPtr e = NewExpr(Expr::Type::kConst, t.offset);
        e->constant = Value::Bool(t.kind == TokenKind::kTrue);
        return e;
      }
      case TokenKind::kNull: {
        Take();
        return NewExpr(Expr::Type::kConst, t.offset);
      }
      case TokenKind::kLParen: {
        Take();
        ExprPtr e = ParseExpr();
        Expect(TokenKind::kRParen, "')'");
        return e;
      }
      case TokenKind::kLBracket: {
        Take();
        ExprPtr e = NewExpr(Expr::Type::kList, t.offset);
        e->args = ParseArgs(TokenKind::kRBracket, "']'");
        return e;
      }
      case TokenKind::kLBrace:
        return ParseMapLiteral();
      case TokenKind::kDot:
      case TokenKind::kIdent: {
        int32_t off = t.offset;
        bool rooted = Accept(TokenKind::kDot);
        const Token& id = Peek();
        if (id.kind != TokenKind::kIdent || id.quoted_ident) {
          Error(id.offset, "expected an identifier, found " + Describe(id));
          if (!At(TokenKind::kEnd)) Take();
          return ErrorExpr(off);
        }
        Take();
        if (IsReservedWord(id.text)) {
          Error(id.offset, "reserved identifier '" + id.text + "'");
        }
        std::string name = (rooted ? "." : "") + id.text;
        if (At(TokenKind::kLParen)) {
          int32_t call_off = Take().offset;
          std::vector<ExprPtr> args = ParseArgs(TokenKind::kRParen, "')'");
          return MakeGlobalCall(std::move(name), call_off, std::move(args));
        }
        ExprPtr e = NewExpr(Expr::Type::kIdent, off);
        e->name = std::move(name);
        return e;
      }
      default: {
        Error(t.offset, "unexpected " + Describe(t));
        if (!At(TokenKind::kEnd)) Take();
        return ErrorExpr(t.offset);
      }
    }
  }

  ExprPtr ParseMapLiteral() {
    int32_t off = Take().offset;
    ExprPtr e = NewExpr(Expr::Type::kMap, off);
    while (!At(TokenKind::kRBrace) && !At(TokenKind::kEnd)) {
      e->args.push_back(ParseExpr());
      Expect(TokenKind::kColon, "':' in map literal");
      e->values.push_back(ParseExpr());
      if (!Accept(TokenKind::kComma)) break;
    }
    Expect(TokenKind::kRBrace, "'}'");
    return e;
  }

  // Macros --------------------------------------------------------------------------------

  ExprPtr MakeGlobalCall(std::string name, int32_t off, std::vector<ExprPtr> args) {
    if (options_.enable_macros && name == "has" && args.size() == 1) {
      ExprPtr& arg = args[0];
      if (arg->type != Expr::Type::kSelect || arg->test_only) {
        Error(arg->offset, "invalid argument to has() macro: expected a field selection like has(a.b)");
        Discard(&args);
        return ErrorExpr(off);
      }
      arg->test_only = true;
      return std::move(arg);
    }
    return NewCall(std::move(name), off, std::move(args));
  }

  bool TakeVarName(ExprPtr& arg, std::string* name) {
    if (arg->type != Expr::Type::kIdent || arg->name.empty() || arg->name[0] == '.') {
      Error(arg->offset, "argument must be a simple name");
      return false;
    }
    *name = arg->name;
    return true;
  }

  ExprPtr MakeReceiverCall(std::string name, int32_t off, ExprPtr target, std::vector<ExprPtr> args) {
    if (options_.enable_macros) {
      size_t n = args.size();
      struct MacroForm {
        const char* name;
        size_t argc;
        MacroKind kind;
        int vars;
        bool has_predicate;
        bool has_transform;
      };
      static const MacroForm kForms[] = {
          {"all", 2, MacroKind::kAll, 1, true, false},
          {"exists", 2, MacroKind::kExists, 1, true, false},
          {"exists_one", 2, MacroKind::kExistsOne, 1, true, false},
          {"existsOne", 2, MacroKind::kExistsOne, 1, true, false},
          {"map", 2, MacroKind::kMap, 1, false, true},
          {"map", 3, MacroKind::kMap, 1, true, true},
          {"filter", 2, MacroKind::kFilter, 1, true, false},
          {"all", 3, MacroKind::kAll, 2, true, false},
          {"exists", 3, MacroKind::kExists, 2, true, false},
          {"exists_one", 3, MacroKind::kExistsOne, 2, true, false},
          {"existsOne", 3, MacroKind::kExistsOne, 2, true, false},
          {"transformList", 3, MacroKind::kMap, 2, false, true},
          {"transformList", 4, MacroKind::kMap, 2, true, true},
          {"transformMap", 3, MacroKind::kTransformMap, 2, false, true},
          {"transformMap", 4, MacroKind::kTransformMap, 2, true, true},
          {"transformMapEntry", 3, MacroKind::kTransformMapEntry, 2, false, true},
          {"transformMapEntry", 4, MacroKind::kTransformMapEntry, 2, true, true},
      };
      for (const MacroForm& f : kForms) {
        if (name != f.name || n != f.argc) continue;
        ExprPtr c = NewExpr(Expr::Type::kComprehension, off);
        c->macro = f.kind;
        c->iter_range = std::move(target);
        bool ok = TakeVarName(args[0], &c->iter_var);
        if (ok && f.vars == 2) {
          ok = TakeVarName(args[1], &c->iter_var2);
          if (ok && c->iter_var2 == c->iter_var) {
            Error(args[1]->offset, "the two iteration variables must have different names");
            ok = false;
          }
        }
        if (!ok) {
          Discard(std::move(c));
          Discard(&args);
          return ErrorExpr(off);
        }
        size_t next = f.vars == 2 ? 2 : 1;
        if (f.has_predicate) c->predicate = std::move(args[next++]);
        if (f.has_transform) c->transform = std::move(args[next++]);
        return c;
      }
    }
    ExprPtr e = NewCall(std::move(name), off, std::move(args));
    e->operand = std::move(target);
    return e;
  }

  void Discard(ExprPtr e) {
    if (e) discarded_.push_back(std::move(e));
  }
  void Discard(std::vector<ExprPtr>* exprs) {
    for (auto& e : *exprs) Discard(std::move(e));
  }

  std::vector<ExprPtr> discarded_;
  std::vector<Token> tokens_;
  const ParseOptions& options_;
  ParsedExpr* out_;
  std::vector<Diagnostic>* diags_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool too_deep_reported_ = false;
};

}  // namespace

bool Parse(std::string_view source, const ParseOptions& options, ParsedExpr* out,
           std::vector<Diagnostic>* diagnostics) {
  out->root.reset();
  if (source.size() > options.max_source_bytes) {
    out->source.clear();
    Diagnostic d;
    d.pos = LocateOffset("", 0);
    d.message = "表达式过长 / expression too long: " + std::to_string(source.size()) + " bytes (limit " +
                std::to_string(options.max_source_bytes) + ")";
    diagnostics->push_back(std::move(d));
    return false;
  }
  out->source = std::string(source);
  std::vector<Diagnostic> diags;
  Lexer lexer(source);
  std::vector<Token> tokens = lexer.Tokenize(&diags);
  Parser parser(std::move(tokens), options, out, &diags);
  ExprPtr root = parser.ParseAll();
  for (auto& e : parser.TakeDiscarded()) DestroyIteratively(std::move(e));
  if (diags.empty() && root != nullptr) {
    if (const Expr* deep = FindTooDeep(*root, options.max_recursion_depth)) {
      Diagnostic d;
      d.pos.offset = deep->offset;
      d.message = "expression nests too deeply (limit " + std::to_string(options.max_recursion_depth) + ")";
      diags.push_back(std::move(d));
    }
  }
  if (!diags.empty()) {
    DestroyIteratively(std::move(root));
    for (auto& d : diags) {
      int32_t off = d.pos.offset;
      d.pos = LocateOffset(source, off);
    }
    diagnostics->insert(diagnostics->end(), diags.begin(), diags.end());
    return false;
  }
  out->root = std::move(root);
  return true;
}

}  // namespace qgrant::expr
