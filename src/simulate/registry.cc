#include "simulate/registry.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "engine/application.h"
#include "engine/decision.h"

namespace qgrant::simulate {

namespace {

// The fields of one unit as JSON text (empty: absent), and the plain text of its USCC for the
// application id.
struct UnitJson {
  std::string uscc, name, kind, registered_in_shenzhen, serious_dishonesty, established_on, district;
  std::string uscc_text;
};

struct AchievementJson {
  std::string measure, subject, obtained_on, facts, requested_fen;
  std::string measure_text, subject_text;
};

void AppendMember(std::string* out, std::string_view name, const std::string& json) {
  if (json.empty()) return;  // absent: the reader reports it if it is required
  if (out->back() != '{') out->push_back(',');
  engine::AppendJsonString(out, name);
  out->push_back(':');
  out->append(json);
}

// The application of CONTRACT.md §2 for one achievement. Its id, uscc/measure/subject, names the
// achievement in messages and is what `qgrant eval` would print for it.
std::string ApplicationJson(const std::string& applicant, const UnitJson& u, const AchievementJson& a) {
  std::string out = "{";
  std::string id = u.uscc_text + "/" + a.measure_text + "/" + a.subject_text;
  out += "\"id\":";
  engine::AppendJsonString(&out, id);
  AppendMember(&out, "applicant", applicant);
  AppendMember(&out, "measure", a.measure);
  AppendMember(&out, "subject", a.subject);
  AppendMember(&out, "obtained_on", a.obtained_on);
  AppendMember(&out, "facts", a.facts);
  AppendMember(&out, "requested_fen", a.requested_fen);
  out += "}";
  return out;
}

std::string ApplicantJson(const UnitJson& u) {
  std::string out = "{";
  AppendMember(&out, "uscc", u.uscc);
  AppendMember(&out, "name", u.name);
  AppendMember(&out, "kind", u.kind);
  AppendMember(&out, "registered_in_shenzhen", u.registered_in_shenzhen);
  AppendMember(&out, "serious_dishonesty", u.serious_dishonesty);
  AppendMember(&out, "established_on", u.established_on);
  AppendMember(&out, "district", u.district);
  out += "}";
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out;
  engine::AppendJsonString(&out, s);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view StripBom(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A CSV cell for a boolean field: true/false (any case, as spreadsheets write them) become JSON
// booleans; anything else stays a string, for the reader to reject with the field's path.
std::string BoolCell(std::string_view cell) {
  if (cell.empty()) return "";
  if (EqualsIgnoreCase(cell, "true")) return "true";
  if (EqualsIgnoreCase(cell, "false")) return "false";
  return JsonString(cell);
}

// A CSV cell for an integer field: a JSON integer when it is one, otherwise a string (the reader
// then says the field must be a whole number).
std::string IntegerCell(std::string_view cell) {
  if (cell.empty()) return "";
  std::string_view digits = cell.front() == '-' ? cell.substr(1) : cell;
  bool integer = !digits.empty() &&
                 std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                 (digits.size() == 1 || digits.front() != '0');
  return integer ? std::string(cell) : JsonString(cell);
}

std::string StringCell(std::string_view cell) { return cell.empty() ? "" : JsonString(cell); }

}  // namespace

bool SplitCsvRow(std::string_view line, std::vector<std::string>* fields) {
  fields->clear();
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    std::string field;
    if (i < n && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= n) return false;  // the quote is never closed
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < n && line[i] != ',') return false;
    } else {
      size_t comma = line.find(',', i);
      size_t end = comma == std::string_view::npos ? n : comma;
      field.assign(line.substr(i, end - i));
      i = end;
    }
    fields->push_back(std::move(field));
    if (i >= n) return true;
    ++i;  // the comma
  }
}

Result<RegistryStart> StartRegistry(const std::function<bool(std::string_view*)>& next) {
  RegistryStart start;
  std::string_view line;
  while (next(&line)) {
    ++start.line_number;
    if (IsBlankLine(line)) continue;
    start.first.assign(line);
    start.have_first = true;
    break;
  }
  if (start.have_first && IsCsvHeader(start.first)) {
    Result<CsvLayout> layout = ParseCsvHeader(start.first);
    if (!layout.ok()) {
      return Status::ParseError("line " + std::to_string(start.line_number) + ": " + layout.status().message());
    }
    start.csv = *layout;
    start.have_first = false;
  }
  return start;
}

bool IsCsvHeader(std::string_view line) {
  line = Trim(StripBom(line));
  if (line.empty() || line.front() == '{') return false;
  std::vector<std::string> fields;
  if (!SplitCsvRow(line, &fields)) return false;
  return std::any_of(fields.begin(), fields.end(), [](const std::string& f) { return Trim(f) == "uscc"; });
}

Result<CsvLayout> ParseCsvHeader(std::string_view line) {
  std::vector<std::string> fields;
  if (!SplitCsvRow(Trim(StripBom(line)), &fields)) return Status::ParseError("the CSV header has an unclosed quote");
  CsvLayout layout;
  layout.columns = fields.size();
  struct Column {
    const char* name;
    int* at;
    bool required;
  };
  const Column columns[] = {
      {"uscc", &layout.uscc, true},
      {"name", &layout.name, true},
      {"kind", &layout.kind, true},
      {"district", &layout.district, true},
      {"registered_in_shenzhen", &layout.registered_in_shenzhen, true},
      {"serious_dishonesty", &layout.serious_dishonesty, true},
      {"measure", &layout.measure, true},
      {"subject", &layout.subject, true},
      {"obtained_on", &layout.obtained_on, true},
      {"facts_json", &layout.facts_json, true},
      {"established_on", &layout.established_on, false},
      {"requested_fen", &layout.requested_fen, false},
  };
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string_view name = Trim(fields[i]);
    auto it = std::find_if(std::begin(columns), std::end(columns), [&](const Column& c) { return name == c.name; });
    if (it == std::end(columns)) {
      return Status::ParseError("unknown CSV column '" + std::string(name) + "' (column " + std::to_string(i + 1) +
                                ")");
    }
    if (*it->at >= 0) return Status::ParseError("CSV column '" + std::string(name) + "' appears twice");
    *it->at = static_cast<int>(i);
  }
  std::string missing;
  for (const auto& c : columns) {
    if (c.required && *c.at < 0) missing += std::string(missing.empty() ? "" : ", ") + c.name;
  }
  if (!missing.empty()) return Status::ParseError("the CSV header lacks the column(s) " + missing);
  return layout;
}

bool RegistrySource::Next(std::string_view* line, int64_t* number) {
  if (start_.have_first && !first_taken_) {
    first_taken_ = true;
    *line = start_.first;
  } else if (!next_(line)) {
    return false;
  }
  *number = ++number_;
  return true;
}

namespace {

// The finaliser of splitmix64: spreads every bit of `h` to the low bits a table indexes by.
uint64_t Mix(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h == 0 ? 1 : h;  // 0 marks an empty slot
}

}  // namespace

uint64_t UnitSet::Hash(std::string_view key) { return Mix(std::hash<std::string_view>()(key)); }

uint64_t UnitSet::With(uint64_t hash, uint64_t n) { return Mix(hash ^ ((n + 1) * 0x9e3779b97f4a7c15ULL)); }

bool UnitSet::InsertHash(uint64_t h) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  const size_t n = slots_.size();
  for (size_t i = Home(h, n);; i = i + 1 == n ? 0 : i + 1) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++size_;
      return true;
    }
  }
}

void UnitSet::Reserve(size_t units) {
  // Two thirds full when the estimate is right, so that one a tenth short still fits.
  if (units / 2 * 3 > slots_.size()) Rehash(units / 2 * 3);
}

void UnitSet::Grow() {
  // Four times the slots while the table is under 32 MB, twice beyond: each growth, on the
  // in-order step, writes a fresh table (a first touch is slow here) and moves every unit; a
  // registry of 2.5 million units took twelve doublings, then six growths, and is now made room
  // for at once where its size can be estimated (Reserve).
  constexpr size_t kQuadrupleBelow = size_t{1} << 22;
  Rehash(std::max<size_t>(1024, slots_.size() * (slots_.size() < kQuadrupleBelow ? 4 : 2)));
}

void UnitSet::Rehash(size_t slots) {
  ZeroedArray<uint64_t> old = std::move(slots_);
  slots_ = ZeroedArray<uint64_t>(slots);
  for (uint64_t h : old) {
    if (h == 0) continue;
    size_t i = Home(h, slots);
    while (slots_[i] != 0) i = i + 1 == slots ? 0 : i + 1;
    slots_[i] = h;
  }
}

std::function<void(std::string_view, size_t, engine::RoundUnit*)> RegistryReader::ForRound(const CsvLayout* csv,
                                                                                           size_t workers) {
  auto readers = std::make_shared<std::vector<std::unique_ptr<RegistryReader>>>();
  for (size_t w = 0; w <= workers; ++w) readers->push_back(std::make_unique<RegistryReader>(csv));  // and the sample's
  return [readers](std::string_view line, size_t worker, engine::RoundUnit* unit) {
    (*readers)[worker]->ReadPadded(line, unit);
  };
}

static_assert(engine::ApplicationReader::kPadding >= simdjson::SIMDJSON_PADDING);

void RegistryReader::Read(std::string_view line, RegistryRecord* out, bool padded) {
  out->uscc.clear();
  out->district.clear();
  out->kind.clear();
  out->applications.clear();
  out->error.clear();
  if (csv_) {
    ReadCsv(line, out);
  } else {
    ReadJson(line, out, padded);
  }
  out->uscc_hash = UnitSet::Hash(out->uscc);
  out->names = this;
  out->district_id = NameId(out->district);
  out->kind_id = NameId(out->kind);
}

uint32_t RegistryReader::NameId(const std::string& name) {
  return names_.try_emplace(name, static_cast<uint32_t>(names_.size())).first->second;
}

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// The members every unit is read for, found in one pass: four look-ups were 7% of the
// instructions of screening a registry. The USCC, district and kind go to `out` when they are
// strings; false if there is no `achievements`. `*repeated`: one of them given twice (CONTRACT §6:
// no reader may silently keep the first or the last), else empty.
bool FindUnitMembers(const object& unit, RegistryRecord* out, element* achievements, std::string_view* repeated,
                     std::string_view* unknown) {
  enum { kUscc, kDistrict, kKind, kAchievements, kRead };
  static constexpr std::string_view kNames[kRead] = {"uscc", "district", "kind", "achievements"};
  // The unit's other members, read for each application's applicant (ReadUnitJson).
  static constexpr std::string_view kApplicant[] = {"name", "registered_in_shenzhen", "serious_dishonesty",
                                                    "established_on"};
  element members[kRead];
  bool found[kRead] = {false, false, false, false};
  *repeated = {};
  *unknown = {};
  for (const auto field : unit) {
    const int k = field.key == kNames[kUscc]           ? kUscc
                  : field.key == kNames[kDistrict]     ? kDistrict
                  : field.key == kNames[kKind]         ? kKind
                  : field.key == kNames[kAchievements] ? kAchievements
                                                       : kRead;
    if (k == kRead) {
      if (unknown->empty() &&
          std::find(std::begin(kApplicant), std::end(kApplicant), field.key) == std::end(kApplicant))
        *unknown = field.key;
      continue;
    }
    if (found[k]) {
      if (repeated->empty()) *repeated = kNames[k];
    } else {
      found[k] = true;
      members[k] = field.value;
    }
  }
  std::string_view s;
  if (found[kUscc] && members[kUscc].get_string().get(s) == simdjson::SUCCESS) out->uscc = s;
  if (found[kDistrict] && members[kDistrict].get_string().get(s) == simdjson::SUCCESS) out->district = s;
  if (found[kKind] && members[kKind].get_string().get(s) == simdjson::SUCCESS) out->kind = s;
  *achievements = members[kAchievements];
  return found[kAchievements];
}

// Minified JSON text of DOM values, in one buffer reused from value to value: simdjson::to_string
// makes a builder and a string for each, which was most of reading a unit's achievements.
class Minifier {
 public:
  std::string_view Of(const element& e) {
    builder_.clear();
    builder_.append(e);
    return builder_.str();
  }

 private:
  simdjson::internal::string_builder<> builder_;
};

// The members of an object an application is made of, found in one pass over it; one of them
// given twice is noted (Repeated: CONTRACT §6, no reader may silently keep the first or the last).
template <size_t N>
class Members {
 public:
  explicit Members(const std::array<std::string_view, N>& names) : names_(names) {}

  void Find(const object& o) {
    found_.fill(false);
    repeated_ = {};
    unknown_ = {};
    for (const auto field : o) {
      size_t k = 0;
      for (; k < N; ++k) {
        if (field.key != names_[k]) continue;
        if (found_[k]) {
          if (repeated_.empty()) repeated_ = names_[k];
        } else {
          found_[k] = true;
          values_[k] = field.value;
        }
        break;
      }
      if (k == N && unknown_.empty()) unknown_ = field.key;
    }
  }
  // The first member of the object last found that is none of the names; empty if none.
  std::string_view Unknown() const { return unknown_; }
  // Member k as JSON text, whatever its type (the reader judges it); empty when absent.
  void Json(size_t k, Minifier* m, std::string* out) const {
    if (found_[k]) {
      out->assign(m->Of(values_[k]));
    } else {
      out->clear();
    }
  }
  // Member k as plain text, for the application id: a string's characters, anything else its JSON.
  void Plain(size_t k, Minifier* m, std::string* out) const {
    std::string_view str;
    if (found_[k] && values_[k].get_string().get(str) == simdjson::SUCCESS) {
      out->assign(str);
    } else {
      Json(k, m, out);
    }
  }
  // The name of a member given twice in the object last found; empty if none.
  std::string_view Repeated() const { return repeated_; }

 private:
  std::array<std::string_view, N> names_;
  std::string_view repeated_, unknown_;
  std::array<element, N> values_;
  std::array<bool, N> found_{};
};

// What reading the achievements of one unit after another reuses: the strings keep their room.
struct AchievementsScratch {
  enum { kUscc, kName, kKind, kRegistered, kDishonesty, kEstablished, kDistrict };
  Members<7> unit_members{
      {"uscc", "name", "kind", "registered_in_shenzhen", "serious_dishonesty", "established_on", "district"}};
  enum { kMeasure, kSubject, kObtainedOn, kFacts, kRequestedFen };
  Members<5> achievement_members{{"measure", "subject", "obtained_on", "facts", "requested_fen"}};
  Minifier minifier;
  UnitJson unit;
  AchievementJson achievement;
};

void ReadUnitJson(const object& unit, AchievementsScratch* s) {
  Members<7>& m = s->unit_members;
  m.Find(unit);
  m.Json(s->kUscc, &s->minifier, &s->unit.uscc);
  m.Json(s->kName, &s->minifier, &s->unit.name);
  m.Json(s->kKind, &s->minifier, &s->unit.kind);
  m.Json(s->kRegistered, &s->minifier, &s->unit.registered_in_shenzhen);
  m.Json(s->kDishonesty, &s->minifier, &s->unit.serious_dishonesty);
  m.Json(s->kEstablished, &s->minifier, &s->unit.established_on);
  m.Json(s->kDistrict, &s->minifier, &s->unit.district);
  m.Plain(s->kUscc, &s->minifier, &s->unit.uscc_text);
}

void ReadAchievementJson(const object& a, AchievementsScratch* s) {
  Members<5>& m = s->achievement_members;
  m.Find(a);
  m.Json(s->kMeasure, &s->minifier, &s->achievement.measure);
  m.Json(s->kSubject, &s->minifier, &s->achievement.subject);
  m.Json(s->kObtainedOn, &s->minifier, &s->achievement.obtained_on);
  m.Json(s->kFacts, &s->minifier, &s->achievement.facts);
  m.Json(s->kRequestedFen, &s->minifier, &s->achievement.requested_fen);
  m.Plain(s->kMeasure, &s->minifier, &s->achievement.measure_text);
  m.Plain(s->kSubject, &s->minifier, &s->achievement.subject_text);
}

// One application per achievement, each with the unit as its applicant; none if some
// achievement is not an object (a bad line).
void ReadAchievements(const object& unit, const array& achievements, AchievementsScratch* s, RegistryRecord* out) {
  ReadUnitJson(unit, s);
  if (const std::string_view repeated = s->unit_members.Repeated(); !repeated.empty()) {
    out->error = "the member '" + std::string(repeated) + "' is given twice";
    return;
  }
  const std::string applicant = ApplicantJson(s->unit);
  size_t index = 0;
  for (element item : achievements) {
    object a;
    if (item.get_object().get(a) != simdjson::SUCCESS) {
      out->error = "achievements[" + std::to_string(index) + "] is not an object";
      out->applications.clear();
      return;
    }
    ReadAchievementJson(a, s);
    if (const std::string_view repeated = s->achievement_members.Repeated(); !repeated.empty()) {
      out->error = "achievements[" + std::to_string(index) + "] gives the member '" + std::string(repeated) + "' twice";
      out->applications.clear();
      return;
    }
    if (const std::string_view unknown = s->achievement_members.Unknown(); !unknown.empty()) {
      // `requested_fn` must not pass silently as "no request" (§6).
      out->error = "achievements[" + std::to_string(index) + "] has the unknown member '" + std::string(unknown) +
                   "' (an achievement has measure, subject, obtained_on, facts, requested_fen)";
      out->applications.clear();
      return;
    }
    out->applications.push_back(ApplicationJson(applicant, s->unit, s->achievement));
    ++index;
  }
}

}  // namespace

struct RegistryReader::Scratch {
  AchievementsScratch achievements;
};

RegistryReader::RegistryReader(const CsvLayout* csv)
    : csv_(csv), parser_(std::make_unique<simdjson::dom::parser>()), scratch_(std::make_unique<Scratch>()) {}

RegistryReader::~RegistryReader() = default;

void RegistryReader::ReadJson(std::string_view line, RegistryRecord* out, bool padded) {
  object unit;
  if (!ParseUnit(StripBom(line), padded, &unit, out)) return;
  element e;
  std::string_view repeated, unknown;
  const bool listed = FindUnitMembers(unit, out, &e, &repeated, &unknown);
  if (!repeated.empty()) {
    out->error = "the member '" + std::string(repeated) + "' is given twice";
    return;
  }
  // A unit's further members are ignored (registries come from other lists), but one without
  // `achievements` that has any is most likely a misspelling (`achievments`): a bad line, not "no
  // achievements" (§6).
  if (!listed && !unknown.empty()) {
    out->error = "unknown member '" + std::string(unknown) +
                 "' and no achievements (a unit has uscc, name, kind, registered_in_shenzhen, serious_dishonesty, "
                 "established_on, district, achievements)";
    return;
  }
  if (!listed || e.is_null()) return;  // a unit without any
  array achievements;
  if (e.get_array().get(achievements) != simdjson::SUCCESS) {
    out->error = "achievements is not a list";
    return;
  }
  if (achievements.size() == 0) return;
  ReadAchievements(unit, achievements, &scratch_->achievements, out);
}

// The unit's object, or false with out->error saying why the line is not one.
bool RegistryReader::ParseUnit(std::string_view line, bool padded, object* unit, RegistryRecord* out) {
  const char* json = line.data();
  if (!padded) {
    buffer_.assign(line.data(), line.size());
    buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
    json = buffer_.data();
  }
  element doc;
  if (parser_->parse(json, line.size(), false).get(doc) != simdjson::SUCCESS) {
    out->error = "not valid JSON";
    return false;
  }
  if (doc.get_object().get(*unit) != simdjson::SUCCESS) {
    out->error = "not a JSON object";
    return false;
  }
  return true;
}

bool RegistryReader::IsJson(std::string_view text) {
  buffer_.assign(text.data(), text.size());
  buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element doc;
  return parser_->parse(buffer_.data(), text.size(), false).get(doc) == simdjson::SUCCESS;
}

void RegistryReader::ReadCsv(std::string_view line, RegistryRecord* out) {
  if (!SplitCsvRow(line, &fields_)) {
    out->error = "a quoted CSV field is not closed properly";
    return;
  }
  if (fields_.size() != csv_->columns) {
    out->error = "expected " + std::to_string(csv_->columns) + " CSV fields, found " + std::to_string(fields_.size());
    return;
  }
  auto cell = [&](int at) -> std::string_view { return at < 0 ? std::string_view() : Trim(fields_[at]); };
  out->uscc = cell(csv_->uscc);
  out->district = cell(csv_->district);
  out->kind = cell(csv_->kind);

  // A row with no achievement at all lists a unit that has none.
  if (cell(csv_->measure).empty() && cell(csv_->subject).empty() && cell(csv_->obtained_on).empty() &&
      cell(csv_->facts_json).empty() && cell(csv_->requested_fen).empty()) {
    return;
  }
  std::string_view facts = cell(csv_->facts_json);
  if (!facts.empty() && !IsJson(facts)) {
    out->error = "facts_json is not valid JSON";
    return;
  }
  UnitJson u;
  u.uscc = StringCell(cell(csv_->uscc));
  u.name = StringCell(cell(csv_->name));
  u.kind = StringCell(cell(csv_->kind));
  u.registered_in_shenzhen = BoolCell(cell(csv_->registered_in_shenzhen));
  u.serious_dishonesty = BoolCell(cell(csv_->serious_dishonesty));
  u.established_on = StringCell(cell(csv_->established_on));
  u.district = StringCell(cell(csv_->district));
  u.uscc_text = cell(csv_->uscc);
  AchievementJson a;
  a.measure = StringCell(cell(csv_->measure));
  a.subject = StringCell(cell(csv_->subject));
  a.obtained_on = StringCell(cell(csv_->obtained_on));
  a.facts = std::string(facts);
  a.requested_fen = IntegerCell(cell(csv_->requested_fen));
  a.measure_text = cell(csv_->measure);
  a.subject_text = cell(csv_->subject);
  out->applications.push_back(ApplicationJson(ApplicantJson(u), u, a));
}

}  // namespace qgrant::simulate
