// Application: one request for support, as CONTRACT.md §2 defines it, read from one JSON line
// and validated against the measure it names. Every malformed field is reported with its JSON
// path ("applicant.uscc", "facts.certificates[1].issued_on") for machines, and what is wrong with
// it in Chinese and English, naming the field in words (「认证证书」第1项的「发证日期」, the fact's
// policy label; the contract's own fields by fixed words); an application with any such problem
// is `invalid` and changes nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/string_hash.h"
#include "expr/value.h"
#include "policy/model.h"

namespace simdjson::dom {
class parser;
}  // namespace simdjson::dom

namespace qgrant::engine::json {
class Element;
class Object;
}  // namespace qgrant::engine::json

namespace qgrant::engine {

struct FieldError {
  std::string path;  // the JSON path; the texts name the field in words instead
  std::string code;  // missing, empty, wrong_type, not_in_list, invalid_date, invalid_uscc, ...
  policy::Text text;
};

// One item of a per-item measure (a certificate), in application order.
struct Item {
  std::string key;   // the certificate number, as a key (policy/keys.h): "gp-1 " is "GP-1"
  std::string type;  // the certificate type, for display
  std::optional<policy::Date> issued_on;
};

struct Application {
  std::optional<std::string> id;  // absent when the line is not even an object
  std::string uscc;
  std::string name;
  std::string kind;
  bool registered_in_shenzhen = false;
  bool serious_dishonesty = false;
  std::optional<policy::Date> established_on;
  std::string district;
  // Further applicant fields the policy declares (years_operating, ...), as CEL values.
  std::vector<std::pair<std::string, expr::Value>> applicant_facts;
  std::string measure;
  // Where the reader found the measure among its rules' measures (SIZE_MAX: nowhere): an
  // Evaluator checks the id there before looking it up, so a hint from other rules is harmless.
  size_t measure_index = SIZE_MAX;
  std::string subject;
  std::string subject_key;  // the subject as compared (policy/keys.h)
  policy::Date obtained_on;
  std::optional<policy::Date> submitted_on;
  std::optional<int64_t> requested_fen;
  // The expert review's finding (CONTRACT §2 `review`): absent until experts have judged.
  std::optional<bool> review_passed;
  std::string review_note;
  int64_t line = 0;                // the line of the input it was read from, when known
  expr::Value facts;               // map, dates as timestamps
  std::string level;               // the value of the measure's level fact, if it has one
  std::vector<Item> items;         // per-item measures
  std::vector<FieldError> errors;  // non-empty: the application is invalid
  // Screening only: required facts that are absent (JSON paths). They evaluate as CEL unknowns,
  // so a decision that depends on one is undetermined, never eligible by accident.
  std::vector<std::string> unknown;
  bool partial = false;  // read for screening: absent facts, even optional ones, are unknown

  // Empties every field, keeping the buffers of strings and vectors (a batch reuses its
  // Applications line after line).
  void Clear();

  bool IsUnknown(std::string_view path) const {
    for (const auto& u : unknown) {
      if (u == path) return true;
    }
    return false;
  }
};

// Reads and validates applications. Holds a JSON parser, buffers and memos that are reused from
// line to line, so use one reader per thread.
class ApplicationReader {
 public:
  // With `partial`, a missing required fact or applicant field is not an error but an unknown
  // (screening a registry, where the record may simply not say).
  explicit ApplicationReader(const policy::RuleSet& rules, bool partial = false);
  ~ApplicationReader();
  ApplicationReader(const ApplicationReader&) = delete;
  ApplicationReader& operator=(const ApplicationReader&) = delete;

  // Parses one line. Problems go to app->errors; this never throws.
  void Read(std::string_view line, Application* app) { Read(line, app, false); }
  // The same, for a line followed by at least kPadding readable bytes (whatever they hold), which
  // the parser may read: the line is then parsed where it lies, not copied first.
  static constexpr size_t kPadding = 64;
  void ReadPadded(std::string_view line, Application* app) { Read(line, app, true); }

 private:
  void Read(std::string_view line, Application* app, bool padded);
  class Validator;
  struct Scratch;  // what reading a line leaves to the next (application.cc)

  // A list of objects whose items the rules read only field by field
  // (policy::Condition::item_fields_read): only those fields of an item are built. When each of
  // them is a closed string or a date (at most one date), an item's map follows from their
  // values, and items with the same values share one map, made once (at most kMostShared).
  struct ItemsReading {
    std::vector<char> fields;  // by the item's declarations: built or not
    bool shared = false;
    std::unordered_map<uint64_t, expr::Value> maps;  // by the values of the built fields
    static constexpr size_t kMostShared = 4096;
  };
  // What reading a measure's facts needs of its declarations, worked out on first use.
  struct MeasureReading {
    static constexpr size_t kNone = SIZE_MAX;
    // Which facts some rule reads: only those are built as CEL values; the others are validated
    // all the same.
    std::vector<char> read;
    // By the same places: how the items of a list of objects are read, when the rules read them
    // field by field (`fields` empty: built whole).
    std::vector<ItemsReading> items;
    // A per-item measure's items list: the declarations of an item's fields (null: not a per-item
    // measure), its key's name, and where the key, the type and the date are among them.
    const std::vector<policy::FactSpec>* item_fields = nullptr;
    std::string_view item_key;
    size_t key = kNone, type = kNone, issued_on = kNone;
    // The facts objects this reader has made that applications share (Validator::SharedObject),
    // by combination: kept here rather than looked up by declarations for every application.
    std::vector<expr::Value> shared_maps;
    size_t combinations = 0;  // Validator::Combinations of the measure's facts
  };
  // The reading of the measure at `index` among the rules' measures.
  MeasureReading& Reading(const policy::Measure& m, size_t index);
  // The parts of an application, in the order Read reads them. Each reports its problems to `v`.
  bool ParseObject(std::string_view line, bool padded, json::Object* root, Validator* v);
  void ReadId(const json::Element& e, Application* app, Validator* v);
  void ReadApplicant(const json::Object& applicant, Application* app, Validator* v);
  void ReadApplicantFact(std::string_view key, const json::Element& value, bool repeated,
                         std::vector<std::string_view>* seen, Application* app, Validator* v);
  const policy::Measure* ReadMeasure(const json::Element& e, Application* app, Validator* v);
  void ReadSubject(const json::Element& e, Application* app, Validator* v);
  void ReadReview(const json::Element& e, Application* app, Validator* v);
  void ReadFacts(const json::Object* facts, const policy::Measure* measure, Application* app, Validator* v);
  void ReadLevel(const json::Object& facts, const policy::Measure& m, Application* app) const;
  // An open-list value as the policy's data spells it, when it matches an entry as a key
  // (CONTRACT §6: "ukas " is UKAS, "GB/T 29187-2012" is GB/T 29187); otherwise its key form.
  // The same as a CEL string: when it matches the data, this reader's copy of the data's value,
  // made once (so no string is made per fact).
  expr::Value CanonicalValue(std::string_view value, policy::FactSpec::Match match) const;
  std::string Canonical(std::string_view value, policy::FactSpec::Match match) const {
    return CanonicalValue(value, match).string_value();
  }
  void IndexData(const expr::Value& v);
  // Key -> the data's string value of that key.
  std::unordered_map<std::string, expr::Value, StringHash, std::equal_to<>> keys_, standards_;

  const policy::RuleSet& rules_;
  bool partial_;
  std::vector<std::unique_ptr<MeasureReading>> readings_;  // by the measure's index in rules_
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::unique_ptr<Scratch> scratch_;
};

// A date at 00:00 Beijing time (UTC+8), as a CEL timestamp.
expr::Value DateValue(policy::Date d);

}  // namespace qgrant::engine
