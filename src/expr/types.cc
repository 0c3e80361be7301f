#include "expr/types.h"

#include <cctype>

namespace qgrant::expr {

CelType CelType::List(CelType elem) {
  CelType t(Kind::kList);
  t.params_.push_back(std::move(elem));
  return t;
}

CelType CelType::Map(CelType key, CelType value) {
  CelType t(Kind::kMap);
  t.params_.push_back(std::move(key));
  t.params_.push_back(std::move(value));
  return t;
}

CelType CelType::TypeOf(CelType inner) {
  CelType t(Kind::kType);
  t.params_.push_back(std::move(inner));
  return t;
}

CelType CelType::Param(std::string name) {
  CelType t(Kind::kParam);
  t.name_ = std::move(name);
  return t;
}

CelType CelType::Object(std::string name, std::vector<std::pair<std::string, CelType>> fields) {
  CelType t(Kind::kObject);
  t.name_ = std::move(name);
  for (auto& [n, ft] : fields) {
    t.field_names_.push_back(std::move(n));
    t.params_.push_back(std::move(ft));
  }
  return t;
}

const CelType* CelType::FindField(std::string_view field) const {
  for (size_t i = 0; i < field_names_.size(); ++i) {
    if (field_names_[i] == field) return &params_[i];
  }
  return nullptr;
}

std::string CelType::FieldNames() const {
  std::string out;
  for (const auto& n : field_names_) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string CelType::ToString() const {
  switch (kind_) {
    case Kind::kDyn:
      return "dyn";
    case Kind::kNull:
      return "null_type";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint:
      return "uint";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kTimestamp:
      return "timestamp";
    case Kind::kDuration:
      return "duration";
    case Kind::kList:
      return "list(" + params_[0].ToString() + ")";
    case Kind::kMap:
      return "map(" + params_[0].ToString() + ", " + params_[1].ToString() + ")";
    case Kind::kType:
      return params_.empty() ? "type" : "type(" + params_[0].ToString() + ")";
    case Kind::kParam:
    case Kind::kObject:
      return name_;
    case Kind::kError:
      return "*error*";
  }
  return "?";
}

bool CelType::operator==(const CelType& o) const {
  if (kind_ != o.kind_ || params_.size() != o.params_.size() || name_ != o.name_) return false;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!(params_[i] == o.params_[i])) return false;
  }
  return true;
}

namespace {

class TypeParser {
 public:
  explicit TypeParser(std::string_view s) : s_(s) {}

  bool Parse(CelType* out, std::string* error) {
    if (!ParseOne(out, error)) return false;
    SkipSpace();
    if (pos_ != s_.size()) {
      *error = "unexpected text after type: '" + std::string(s_.substr(pos_)) + "'";
      return false;
    }
    return true;
  }

 private:
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Accept(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool ParseOne(CelType* out, std::string* error) {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' || s_[pos_] == '.'))
      ++pos_;
    std::string name(s_.substr(start, pos_ - start));
    if (name.empty()) {
      *error = "expected a type name in '" + std::string(s_) + "'";
      return false;
    }
    using K = CelType::Kind;
    static const std::pair<const char*, K> kSimple[] = {{"dyn", K::kDyn},
                                                        {"any", K::kDyn},
                                                        {"null_type", K::kNull},
                                                        {"null", K::kNull},
                                                        {"bool", K::kBool},
                                                        {"int", K::kInt},
                                                        {"uint", K::kUint},
                                                        {"double", K::kDouble},
                                                        {"string", K::kString},
                                                        {"bytes", K::kBytes},
                                                        {"timestamp", K::kTimestamp},
                                                        {"google.protobuf.Timestamp", K::kTimestamp},
                                                        {"duration", K::kDuration},
                                                        {"google.protobuf.Duration", K::kDuration}};
    for (const auto& [n, k] : kSimple) {
      if (name == n) {
        *out = CelType::Of(k);
        return true;
      }
    }
    if (name == "list" || name == "map" || name == "type") {
      if (!Accept('(')) {
        if (name == "type") {
          *out = CelType::TypeOf(CelType::Dyn());
          return true;
        }
        *out = name == "list" ? CelType::List(CelType::Dyn()) : CelType::Map(CelType::Dyn(), CelType::Dyn());
        return true;
      }
      CelType a, b;
      if (!ParseOne(&a, error)) return false;
      if (name == "map") {
        if (!Accept(',')) {
          *error = "map type needs two parameters: map(K, V)";
          return false;
        }
        if (!ParseOne(&b, error)) return false;
      }
      if (!Accept(')')) {
        *error = "expected ')' in type '" + std::string(s_) + "'";
        return false;
      }
      *out = name == "list" ? CelType::List(a) : name == "map" ? CelType::Map(a, b) : CelType::TypeOf(a);
      return true;
    }
    if (name.size() == 1 && std::isupper(static_cast<unsigned char>(name[0]))) {
      *out = CelType::Param(name);
      return true;
    }
    *error = "unknown type '" + name + "'";
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

bool ParseCelType(std::string_view text, CelType* out, std::string* error) {
  return TypeParser(text).Parse(out, error);
}

}  // namespace qgrant::expr
