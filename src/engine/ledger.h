// Ledger: what units have already received, under this policy and every other Shenzhen policy
// (CONTRACT.md §3). It answers the questions of clause （八）"首次", （十）（十一）"一次性",
// （三）"每项认证" and （十二）"不得重复享受":
//   - has this unit already been funded for this subject, under any policy?
//   - has it already been funded for this measure (at this level)?
//   - has this certificate number already been funded, whoever applied?
// The eligible decisions of a round are added as they are made, so that the round is judged in
// order (CONTRACT.md §6). Entries are kept compactly (a million rows fit in well under 100 MB)
// and indexed by hash chains on (USCC, subject), (USCC, measure) and (measure, subject).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "policy/model.h"

namespace qgrant::engine {

struct LedgerEntry {
  std::string uscc;
  std::string policy;
  std::string measure;
  std::string level;  // empty when the measure has no levels
  std::string subject;
  int64_t amount_fen = 0;
  policy::Date granted_on;
};

// The same fields as views, for adding without copying strings first.
struct LedgerEntryView {
  std::string_view uscc;
  std::string_view policy;
  std::string_view measure;
  std::string_view level;
  std::string_view subject;
  int64_t amount_fen = 0;
  policy::Date granted_on;
};

class Ledger {
 public:
  Ledger();

  // Reads JSON Lines. A malformed line is an error naming the line: a ledger read in part would
  // let a unit be paid twice, so nothing is taken from a file with errors.
  Status LoadFile(const std::string& path);
  Status LoadLine(std::string_view line, int64_t line_no);

  // Adds an entry. `is_item` marks a funded item (a certificate); `subject_only` entries record
  // only that the subject is taken in this round (the subject of a per-item application).
  void Add(const LedgerEntryView& entry, bool is_item, bool subject_only = false);
  static LedgerEntryView View(const LedgerEntry& e) {
    return {e.uscc, e.policy, e.measure, e.level, e.subject, e.amount_fen, e.granted_on};
  }

  // Lookups answer with the earliest matching entry (the first award, for first-time rules).
  // Same unit and subject, under any policy and measure.
  std::optional<LedgerEntry> FindSubject(std::string_view uscc, std::string_view subject) const;
  // The same unit funded for `measure` at `level`; with an empty level, at any level.
  std::optional<LedgerEntry> FindLevel(std::string_view uscc, std::string_view measure, std::string_view level) const;
  // An item (certificate number) of `measure` funded for anyone.
  std::optional<LedgerEntry> FindItem(std::string_view measure, std::string_view key) const;
  // Everything the unit received under `measure`, for upgrade-difference rules.
  std::vector<LedgerEntry> EntriesFor(std::string_view uscc, std::string_view measure) const;

  size_t size() const { return rows_.size(); }
  LedgerEntry entry(size_t i) const;

 private:
  // One entry, with its strings in the arena and its short names interned.
  struct Row {
    uint32_t uscc_at;
    uint32_t subject_at;
    uint32_t subject_len;
    uint16_t uscc_len;
    uint16_t policy, measure, level;
    int32_t granted_days;
    int64_t amount_fen;
    bool is_item;
    bool subject_only;
  };
  // An open-addressing hash index over row numbers. Each slot keeps 32 bits of the key's hash
  // beside the row, so a probe touches the row (and its strings) only when those bits match:
  // one cache miss for the common answer "not funded before".
  struct Slot {
    uint32_t tag = 0;
    uint32_t row = 0;  // row + 1; 0 = empty
  };
  struct Index {
    std::vector<Slot> slots;  // a power of two, at most half full
  };
  static uint64_t Hash2(std::string_view a, std::string_view b);
  // Reads one line into `out` (thread-safe: it touches no member).
  static Status ParseLine(std::string_view line, int64_t line_no, LedgerEntry* out);
  Status AddLoaded(const LedgerEntry& e, int64_t line_no);
  uint16_t Intern(std::string_view name);
  std::string_view Uscc(const Row& r) const { return {arena_.data() + r.uscc_at, r.uscc_len}; }
  std::string_view Subject(const Row& r) const { return {arena_.data() + r.subject_at, r.subject_len}; }
  const std::string& Name(uint16_t id) const { return names_[id]; }
  void IndexRow(uint32_t row);
  void Rebuild(size_t slots);
  static void Insert(Index* index, uint64_t hash, uint32_t row);
  template <typename Match>
  std::optional<LedgerEntry> Lookup(const Index& index, uint64_t hash, Match match) const;

  std::vector<Row> rows_;
  // Each row's three key hashes, so growing the indexes does not hash the strings again.
  struct RowHashes {
    uint64_t subject, measure, item;
  };
  std::vector<RowHashes> hashes_;
  std::string arena_;
  std::vector<std::string> names_;  // interned policy, measure and level names
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, uint16_t, NameHash, std::equal_to<>> name_ids_;
  // The engine adds rows naming the same few policy and measure strings (the same objects)
  // over and over: remember the last names seen by where they live, and compare before hashing.
  struct RecentName {
    const char* data = nullptr;
    size_t size = 0;
    uint16_t id = 0;
  };
  RecentName recent_[16];
  Index by_subject_, by_measure_, by_item_;
};

}  // namespace qgrant::engine
