// The signatures of CEL's standard library, for the checker. Written in CEL's type notation and
// parsed once; the run-time implementations are in builtins.cc.
#include <cstdio>
#include <cstdlib>

#include "expr/checker.h"

namespace qgrant::expr {
namespace {

struct Sig {
  const char* name;
  const char* signature;  // "a, b -> r" for global calls, "recv.(a) -> r" for receiver calls
};

const Sig kStdlib[] = {
    {"_+_", "int, int -> int"},
    {"_+_", "uint, uint -> uint"},
    {"_+_", "double, double -> double"},
    {"_+_", "string, string -> string"},
    {"_+_", "bytes, bytes -> bytes"},
    {"_+_", "list(A), list(A) -> list(A)"},
    {"_+_", "timestamp, duration -> timestamp"},
    {"_+_", "duration, timestamp -> timestamp"},
    {"_+_", "duration, duration -> duration"},
    {"_-_", "int, int -> int"},
    {"_-_", "uint, uint -> uint"},
    {"_-_", "double, double -> double"},
    {"_-_", "timestamp, timestamp -> duration"},
    {"_-_", "timestamp, duration -> timestamp"},
    {"_-_", "duration, duration -> duration"},
    {"_*_", "int, int -> int"},
    {"_*_", "uint, uint -> uint"},
    {"_*_", "double, double -> double"},
    {"_/_", "int, int -> int"},
    {"_/_", "uint, uint -> uint"},
    {"_/_", "double, double -> double"},
    {"_%_", "int, int -> int"},
    {"_%_", "uint, uint -> uint"},
    {"-_", "int -> int"},
    {"-_", "double -> double"},
    {"-_", "duration -> duration"},
    {"!_", "bool -> bool"},
    {"@in", "A, list(A) -> bool"},
    {"@in", "A, map(A, B) -> bool"},
    {"_[_]", "list(A), int -> A"},
    {"_[_]", "list(A), uint -> A"},
    {"_[_]", "list(A), double -> A"},
    {"_[_]", "map(A, B), A -> B"},
    {"size", "string -> int"},
    {"size", "bytes -> int"},
    {"size", "list(A) -> int"},
    {"size", "map(A, B) -> int"},
    {"size", "string.() -> int"},
    {"size", "bytes.() -> int"},
    {"size", "list(A).() -> int"},
    {"size", "map(A, B).() -> int"},
    {"contains", "string.(string) -> bool"},
    {"startsWith", "string.(string) -> bool"},
    {"endsWith", "string.(string) -> bool"},
    {"matches", "string.(string) -> bool"},
    {"matches", "string, string -> bool"},
    {"int", "int -> int"},
    {"int", "uint -> int"},
    {"int", "double -> int"},
    {"int", "string -> int"},
    {"int", "timestamp -> int"},
    {"uint", "uint -> uint"},
    {"uint", "int -> uint"},
    {"uint", "double -> uint"},
    {"uint", "string -> uint"},
    {"double", "double -> double"},
    {"double", "int -> double"},
    {"double", "uint -> double"},
    {"double", "string -> double"},
    {"string", "string -> string"},
    {"string", "int -> string"},
    {"string", "uint -> string"},
    {"string", "double -> string"},
    {"string", "bool -> string"},
    {"string", "bytes -> string"},
    {"string", "timestamp -> string"},
    {"string", "duration -> string"},
    {"bytes", "bytes -> bytes"},
    {"bytes", "string -> bytes"},
    {"bool", "bool -> bool"},
    {"bool", "string -> bool"},
    {"timestamp", "timestamp -> timestamp"},
    {"timestamp", "string -> timestamp"},
    {"timestamp", "int -> timestamp"},
    {"duration", "duration -> duration"},
    {"duration", "string -> duration"},
    {"duration", "int -> duration"},
    {"type", "A -> type(A)"},
    {"dyn", "A -> dyn"},
    {"getFullYear", "timestamp.() -> int"},
    {"getFullYear", "timestamp.(string) -> int"},
    {"getMonth", "timestamp.() -> int"},
    {"getMonth", "timestamp.(string) -> int"},
    {"getDayOfYear", "timestamp.() -> int"},
    {"getDayOfYear", "timestamp.(string) -> int"},
    {"getDayOfMonth", "timestamp.() -> int"},
    {"getDayOfMonth", "timestamp.(string) -> int"},
    {"getDate", "timestamp.() -> int"},
    {"getDate", "timestamp.(string) -> int"},
    {"getDayOfWeek", "timestamp.() -> int"},
    {"getDayOfWeek", "timestamp.(string) -> int"},
    {"getHours", "timestamp.() -> int"},
    {"getHours", "timestamp.(string) -> int"},
    {"getHours", "duration.() -> int"},
    {"getMinutes", "timestamp.() -> int"},
    {"getMinutes", "timestamp.(string) -> int"},
    {"getMinutes", "duration.() -> int"},
    {"getSeconds", "timestamp.() -> int"},
    {"getSeconds", "timestamp.(string) -> int"},
    {"getSeconds", "duration.() -> int"},
    {"getMilliseconds", "timestamp.() -> int"},
    {"getMilliseconds", "timestamp.(string) -> int"},
    {"getMilliseconds", "duration.() -> int"},
};

// Splits "a, list(b), c" at top-level commas.
std::vector<std::string> SplitTop(const std::string& s) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (cur.find_first_not_of(' ') != std::string::npos) out.push_back(cur);
  return out;
}

CelType MustParse(const std::string& text) {
  CelType t;
  std::string err;
  if (!ParseCelType(text, &t, &err)) {
    // The table above is part of the program; a typo in it is a programming error.
    std::fprintf(stderr, "qgrant: bad standard library signature '%s': %s\n", text.c_str(), err.c_str());
    std::abort();
  }
  return t;
}

Overload ParseSignature(const std::string& sig) {
  Overload o;
  size_t arrow = sig.find("->");
  std::string lhs = sig.substr(0, arrow);
  o.result = MustParse(sig.substr(arrow + 2));
  size_t recv = lhs.find(".(");
  if (recv != std::string::npos) {
    o.receiver = true;
    o.params.push_back(MustParse(lhs.substr(0, recv)));
    std::string inner = lhs.substr(recv + 2, lhs.rfind(')') - recv - 2);
    for (const auto& p : SplitTop(inner)) o.params.push_back(MustParse(p));
  } else {
    for (const auto& p : SplitTop(lhs)) o.params.push_back(MustParse(p));
  }
  return o;
}

}  // namespace

TypeEnv::TypeEnv() {
  static const auto* const kParsed = [] {
    auto* m = new std::map<std::string, std::vector<Overload>, std::less<>>();
    for (const Sig& s : kStdlib) (*m)[s.name].push_back(ParseSignature(s.signature));
    return m;
  }();
  functions_ = *kParsed;
}

const CelType* TypeEnv::FindVariable(std::string_view name) const {
  auto it = variables_.find(name);
  return it == variables_.end() ? nullptr : &it->second;
}

const std::vector<Overload>* TypeEnv::FindFunction(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

}  // namespace qgrant::expr
