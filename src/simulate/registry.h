// The registry of units for `qgrant simulate` (doc/simulation.md): one unit per JSON line with
// its achievements, or a CSV file with one achievement per row. Every achievement becomes one
// application in the JSON of CONTRACT.md §2, so that the engine reads and decides it exactly as
// `qgrant eval` would: a field with a wrong value is left for engine::ApplicationReader to
// report. Only what prevents reading a record as a unit at all (a line that is not JSON, an
// `achievements` that is not a list, a CSV row with the wrong number of fields) is a bad line.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/lines.h"
#include "common/status.h"
#include "common/zeroed_array.h"
#include "engine/round.h"

namespace simdjson::dom {
class parser;
class object;
}  // namespace simdjson::dom

namespace qgrant::simulate {

// Where each column of a CSV registry is; -1 for an optional column that is absent.
struct CsvLayout {
  int uscc = -1, name = -1, kind = -1, district = -1, registered_in_shenzhen = -1, serious_dishonesty = -1,
      established_on = -1, measure = -1, subject = -1, obtained_on = -1, facts_json = -1, requested_fen = -1;
  size_t columns = 0;
};

// Reads the header row. Columns are found by name, in any order; an unknown or missing column
// is an error, since a misnamed column would silently drop a fact from every unit.
Result<CsvLayout> ParseCsvHeader(std::string_view line);

// Whether the first line of a registry is a CSV header (it names a `uscc` column) rather than
// a JSON line.
bool IsCsvHeader(std::string_view line);

// The start of a registry, whose first non-blank line says its format: a CSV header (read, and
// used up) or the first unit (kept in `first` for the caller to read as a record).
struct RegistryStart {
  std::optional<CsvLayout> csv;
  std::string first;
  bool have_first = false;  // `first` holds the first unit
  int64_t line_number = 0;  // the lines taken from the source so far
};
// `next` hands out the lines in order and returns false at the end. A CSV header that cannot be
// read is an error naming its line.
Result<RegistryStart> StartRegistry(const std::function<bool(std::string_view*)>& next);

// Splits one CSV row (RFC 4180 quoting; no line breaks inside fields). False when a quoted
// field is not closed or is followed by anything but a comma.
bool SplitCsvRow(std::string_view line, std::vector<std::string>* fields);

// One registry record: a unit, and the applications its achievements make. Screen and simulate
// decide them as the units of a round (engine/round.h).
using RegistryRecord = engine::RoundUnit;

// The registry's lines after its start, as the lines of a round: the first unit StartRegistry
// kept, then the rest of `next`'s lines, numbered on from it.
class RegistrySource : public engine::RoundSource {
 public:
  RegistrySource(const RegistryStart& start, const std::function<bool(std::string_view*)>& next)
      : start_(start), next_(next), number_(start.line_number - (start.have_first ? 1 : 0)) {}
  bool Next(std::string_view* line, int64_t* number) override;

 private:
  const RegistryStart& start_;
  const std::function<bool(std::string_view*)>& next_;
  int64_t number_;
  bool first_taken_ = false;
};

// Distinct units, by USCC, in a few bytes each: a set of 64-bit hashes (open addressing). Two
// USCCs share a hash with a chance of about n²/2⁶⁵: nil at city scale.
class UnitSet {
 public:
  // Room for `units` keys without growing: a registry's units, made room for once (growing runs
  // on the in-order step, and writes every table it grows through).
  void Reserve(size_t units);
  // True when `uscc` was not in the set.
  bool Insert(std::string_view uscc) { return InsertHash(Hash(uscc)); }
  // The same for a key's Hash(), or a pair's With().
  bool InsertHash(uint64_t hash);
  // Starts loading the slot InsertHash(hash) will probe: called a few units ahead, it finds the
  // slot in cache. Only a hint.
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Home(hash, slots_.size())]);
  }
  // Inserts every unit of `units` that is not a bad line and has a USCC, in order, prefetching
  // ahead: `inserted(i)` is called for each that was not in the set, and for each that has no
  // USCC (a unit of its own). The hash the reader left in the unit is used when there is one.
  template <typename Inserted>
  void InsertUnits(std::span<const engine::RoundUnit> units, Inserted inserted) {
    constexpr size_t kAhead = 8;
    for (size_t i = 0; i < units.size(); ++i) {
      if (i + kAhead < units.size()) Prefetch(UsccHash(units[i + kAhead]));
      if (units[i].error.empty() && (units[i].uscc.empty() || InsertHash(UsccHash(units[i])))) inserted(i);
    }
  }

  // Never 0 (an empty slot).
  static uint64_t Hash(std::string_view key);
  // A hash of the pair (the key of `hash`, n), as distinct as Hash() is.
  static uint64_t With(uint64_t hash, uint64_t n);

 private:
  static uint64_t UsccHash(const engine::RoundUnit& u) { return u.uscc_hash != 0 ? u.uscc_hash : Hash(u.uscc); }
  // The slot a hash's probe starts at: its high bits scaled to the table, of any size.
  static size_t Home(uint64_t hash, size_t slots) {
    return static_cast<size_t>((static_cast<unsigned __int128>(hash) * slots) >> 64);
  }
  void Grow();
  void Rehash(size_t slots);
  ZeroedArray<uint64_t> slots_;  // 0: empty; at most 3/4 full
  size_t size_ = 0;
};

// What the in-order step keeps for each name (a district, a kind) of the units a RegistryReader
// numbered (RoundUnit::names): found by the number, with no string hashed or compared; made once
// per reader and number by `make(name)`, which returns a reference that stays valid.
template <typename T>
class ByName {
 public:
  template <typename Make>
  T& Get(const void* names, uint32_t id, const std::string& name, Make make) {
    if (names == nullptr) return make(name);
    std::vector<T*>* found = nullptr;
    for (auto& [reader, by_id] : readers_) {
      if (reader == names) found = &by_id;
    }
    if (found == nullptr) found = &readers_.emplace_back(names, std::vector<T*>()).second;
    if (id >= found->size()) found->resize(id + 1, nullptr);
    T*& slot = (*found)[id];
    if (slot == nullptr) slot = &make(name);
    return *slot;
  }

 private:
  std::vector<std::pair<const void*, std::vector<T*>>> readers_;  // a few: one per worker
};

// Turns registry lines into records. Holds a JSON parser whose buffers are reused, so use one
// reader per thread.
class RegistryReader {
 public:
  // `csv`: the layout of a CSV registry, or null for JSON Lines. Must outlive the reader.
  explicit RegistryReader(const CsvLayout* csv);
  ~RegistryReader();
  RegistryReader(const RegistryReader&) = delete;
  RegistryReader& operator=(const RegistryReader&) = delete;

  // Reads one non-blank line into `out` (every field of it is overwritten).
  void Read(std::string_view line, RegistryRecord* out) { Read(line, out, false); }
  // The same, for a line followed by at least engine::ApplicationReader::kPadding readable bytes
  // (whatever they hold): a JSON line is then parsed where it lies, not copied first.
  void ReadPadded(std::string_view line, RegistryRecord* out) { Read(line, out, true); }

  // One reader per worker of a round, and one for its sample, as its RoundOptions::read_unit.
  static std::function<void(std::string_view, size_t, engine::RoundUnit*)> ForRound(const CsvLayout* csv,
                                                                                    size_t workers);

 private:
  void Read(std::string_view line, RegistryRecord* out, bool padded);
  void ReadJson(std::string_view line, RegistryRecord* out, bool padded);
  bool ParseUnit(std::string_view line, bool padded, simdjson::dom::object* unit, RegistryRecord* out);
  void ReadCsv(std::string_view line, RegistryRecord* out);
  bool IsJson(std::string_view text);

  // The number of a district or kind (RoundUnit::names): the order this reader first met it.
  uint32_t NameId(const std::string& name);

  const CsvLayout* csv_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  struct Scratch;  // what reading achievements reuses from unit to unit (registry.cc)
  std::unique_ptr<Scratch> scratch_;
  std::unordered_map<std::string, uint32_t> names_;
  std::string buffer_;               // the line with simdjson's padding
  std::vector<std::string> fields_;  // CSV cells
};

}  // namespace qgrant::simulate
