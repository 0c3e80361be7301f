// CelType: the static types the checker reasons with — primitives, list(T), map(K, V), type(T),
// timestamp, duration, null, dyn (anything, decided at run time) and type parameters used in
// function signatures. Written and parsed in CEL's own notation: "map(string, list(int))".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace qgrant::expr {

class CelType {
 public:
  enum class Kind : uint8_t {
    kDyn,
    kNull,
    kBool,
    kInt,
    kUint,
    kDouble,
    kString,
    kBytes,
    kTimestamp,
    kDuration,
    kList,
    kMap,
    kType,
    kParam,   // a type parameter of a signature (A, K, V)
    kObject,  // a map with declared fields (a policy's facts): unknown fields are errors
    kError,   // the type of an expression that failed to check; never reported twice
  };

  CelType() = default;
  static CelType Dyn() { return CelType(Kind::kDyn); }
  static CelType Of(Kind k) { return CelType(k); }
  static CelType List(CelType elem);
  static CelType Map(CelType key, CelType value);
  static CelType TypeOf(CelType t);
  static CelType Param(std::string name);
  // A map value whose string keys are declared: selecting an undeclared field is an error.
  static CelType Object(std::string name, std::vector<std::pair<std::string, CelType>> fields);

  Kind kind() const { return kind_; }
  bool is_dyn() const { return kind_ == Kind::kDyn || kind_ == Kind::kError; }
  const CelType& param(size_t i) const { return params_[i]; }
  size_t param_count() const { return params_.size(); }
  const std::string& name() const { return name_; }
  // kObject: the declared field, or nullptr.
  const CelType* FindField(std::string_view field) const;
  // kObject: the declared field names, comma separated, for messages.
  std::string FieldNames() const;

  std::string ToString() const;
  bool operator==(const CelType& o) const;
  bool operator!=(const CelType& o) const { return !(*this == o); }

 private:
  explicit CelType(Kind k) : kind_(k) {}
  Kind kind_ = Kind::kDyn;
  std::vector<CelType> params_;
  std::string name_;                      // kParam, kObject
  std::vector<std::string> field_names_;  // kObject, parallel to params_
};

// Parses "int", "list(string)", "map(string, dyn)", "timestamp", ... Single upper-case letters
// are type parameters. Returns false with a message for anything else.
[[nodiscard]] bool ParseCelType(std::string_view text, CelType* out, std::string* error);

}  // namespace qgrant::expr
