// Ledger: what units have already received, under this policy and every other Shenzhen policy
// (CONTRACT.md §3). It answers the questions of clause （八）"首次", （十）（十一）"一次性",
// （三）"每项认证" and （十二）"不得重复享受":
//   - has this unit already been funded for this subject, under any policy?
//   - has it already been funded for this measure (at this level)?
//   - has this certificate number already been funded, whoever applied?
// The eligible decisions of a round are added as they are made, so that the round is judged in
// order (CONTRACT.md §6). Entries are kept compactly (about 95 bytes a row with its indexes)
// and indexed on (USCC, subject), (USCC, measure) and (measure, subject): open addressing, one
// slot per key, the key's other rows chained behind its earliest (the last index, of items,
// keeps the earliest alone: no other is asked for).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/huge_pages.h"
#include "common/same_bytes.h"
#include "common/status.h"
#include "common/string_hash.h"
#include "common/zeroed_array.h"
#include "policy/model.h"

namespace qgrant::engine {

// Whose policy paid an entry (CONTRACT §3): only the city's count as "深圳市其他支持政策" under
// clause （十二）; a district's matching grant or the province's own prize money does not block.
enum class Scope : uint8_t { kCity, kDistrict, kProvince, kNational };
const char* ScopeName(Scope s);

struct LedgerEntry {
  std::string uscc;
  std::string policy;
  std::string measure;
  std::string level;    // empty when the measure has no levels
  std::string subject;  // compared as a key (policy/keys.h): stored in that form
  int64_t amount_fen = 0;
  policy::Date granted_on;
  Scope scope = Scope::kCity;
  bool in_round = false;       // added by the round being decided, not read from the ledger
  std::string application_id;  // the application it came from, when known
};

// The same fields as views, for adding without copying strings first.
// An entry added by a round is city money (this policy's) and remembers its application.
struct LedgerEntryView {
  std::string_view uscc;
  std::string_view policy;
  std::string_view measure;
  std::string_view level;
  std::string_view subject;
  int64_t amount_fen = 0;
  policy::Date granted_on;
  std::string_view application_id = {};
};

class Ledger {
 public:
  Ledger();

  // Lines are checked against these rules when set (CONTRACT §6, second reading): a line naming a
  // measure of the policy that has levels or grades must carry a valid one. `rules` must outlive
  // the loading.
  void CheckAgainst(const policy::RuleSet* rules) { rules_ = rules; }

  // Reads JSON Lines. A malformed line is an error naming the line: a ledger read in part would
  // let a unit be paid twice, so nothing is taken from a file with errors.
  Status LoadFile(const std::string& path);
  Status LoadLine(std::string_view line, int64_t line_no);

  // Makes room now for `rows` more entries than the ledger holds, `item_rows` of them items (a
  // round about to be decided, from its first batch), if it has less: the indexes are made that
  // size at once, on the round's in-order step, before they would grow several times. Only a hint
  // (at most 2^25 rows are taken); it also indexes rows a file left unindexed (IndexOnExpect).
  void Expect(size_t rows, size_t item_rows);
  // Announces `rows` more entries than the ledger holds or will load from files (a round about
  // to be decided, estimated from its input's size): the rows and their strings get room for them
  // when a file is loaded, so that neither is copied whole as the round adds to them (room costs
  // address space, not memory, until used). The indexes are sized by Expect.
  void Reserve(size_t rows) { round_rows_ = rows; }
  // Files loaded from now on are indexed at the next Expect rather than when read: a round that
  // will add to the ledger knows how many rows only from its first batch, and the indexes are
  // then made once, at their size (made for the file first, they were made again at Expect's).
  // Until that Expect a lookup is an error (std::logic_error), never a wrong "not funded".
  void IndexOnExpect() { index_on_expect_ = true; }

  // The hash of a two-part key, as the indexes use it. A caller that computes the hashes of an
  // application's keys ahead, on any thread, passes them to the lookups below and to Add; the
  // in-order part of a round then only probes the indexes.
  static uint64_t KeyHash(std::string_view a, std::string_view b);
  // The same in two steps, for several keys that share their first part (a unit's keys):
  // KeyHash(a, b) == KeyHashWith(KeyHashPrefix(a), b).
  static uint64_t KeyHashPrefix(std::string_view a);
  static uint64_t KeyHashWith(uint64_t prefix, std::string_view b);
  // Starts loading the index slots a lookup of these hashes will read (a hint, no effect on results).
  void Prefetch(uint64_t subject_hash, uint64_t measure_hash) const;
  // The same for an item's lookups: (uscc, item) in the subject index, (measure, item) in the items'.
  void PrefetchItem(uint64_t subject_hash, uint64_t item_hash) const;

  // The key hashes of an entry: (uscc, subject), (uscc, measure) and (measure, subject).
  struct KeyHashes {
    uint64_t subject, measure, item;
  };
  static KeyHashes HashesOf(const LedgerEntryView& e) {
    return {KeyHash(e.uscc, e.subject), KeyHash(e.uscc, e.measure), KeyHash(e.measure, e.subject)};
  }

  // Adds an entry. `is_item` marks a funded item (a certificate); `subject_only` entries record
  // only that the subject is taken in this round (the subject of a per-item application).
  void Add(const LedgerEntryView& entry, bool is_item, bool subject_only = false) {
    Add(entry, HashesOf(entry), is_item, subject_only);
  }
  void Add(const LedgerEntryView& entry, const KeyHashes& hashes, bool is_item, bool subject_only = false);
  static LedgerEntryView View(const LedgerEntry& e) {
    return {e.uscc, e.policy, e.measure, e.level, e.subject, e.amount_fen, e.granted_on};
  }

  // Lookups answer with the earliest matching entry (the first award, for first-time rules).
  // Same unit and subject, under any policy and measure, paid by the city (clause （十二）): entries
  // of another scope, and honours recorded without payment, do not count.
  std::optional<LedgerEntry> FindSubject(std::string_view uscc, std::string_view subject) const {
    return FindSubject(uscc, subject, KeyHash(uscc, subject));
  }
  std::optional<LedgerEntry> FindSubject(std::string_view uscc, std::string_view subject, uint64_t hash) const;
  // The same unit funded for `measure` at `level`; with an empty level, at any level.
  std::optional<LedgerEntry> FindLevel(std::string_view uscc, std::string_view measure, std::string_view level) const {
    return FindLevel(uscc, measure, level, KeyHash(uscc, measure));
  }
  std::optional<LedgerEntry> FindLevel(std::string_view uscc, std::string_view measure, std::string_view level,
                                       uint64_t hash) const;
  // An item (certificate number, or the subject of a measure paid once per subject) of
  // `measure` funded for anyone.
  std::optional<LedgerEntry> FindItem(std::string_view measure, std::string_view key) const {
    return FindItem(measure, key, KeyHash(measure, key));
  }
  std::optional<LedgerEntry> FindItem(std::string_view measure, std::string_view key, uint64_t hash) const;
  // Everything the unit received under `measure`, for upgrade-difference rules.
  std::vector<LedgerEntry> EntriesFor(std::string_view uscc, std::string_view measure) const;
  // The earliest entry this round added for the unit under `measure` (subject-only entries aside),
  // for measures that fund a unit once a round (（六）); `hash` is KeyHash(uscc, measure). Reads the
  // unit's rows in place: a unit with thousands of entries of the measure copies none of them.
  std::optional<LedgerEntry> FindInRound(std::string_view uscc, std::string_view measure, uint64_t hash) const;
  // How many entries of the unit under `measure` paid something and were added by this round or
  // granted from `first` to `last` (a guide's limit of items a unit is paid in a year).
  int64_t CountPaid(std::string_view uscc, std::string_view measure, uint64_t hash, policy::Date first,
                    policy::Date last) const;

  size_t size() const { return rows_.size(); }
  LedgerEntry entry(size_t i) const;
  // The rows the indexes are made for now (Expect, or growth): how well a round was sized.
  size_t RowsSizedFor() const { return reserved_.rows; }

 private:
  // One entry, with its strings in the arena and its short names interned: 32 bytes (a round of
  // millions keeps a row for each funded application and certificate).
  struct Row {
    // The USCC, then the subject, then the application id, which ends where the next row's
    // strings begin (rows' strings follow one another in the arena, in row order).
    uint64_t at : 40;
    uint64_t uscc_len : 16;
    uint64_t is_item : 1;
    uint64_t subject_only : 1;
    uint64_t in_round : 1;
    uint64_t scope : 2;  // a Scope
    uint32_t subject_len;
    int32_t granted_days;
    uint16_t policy, measure, level;
    int64_t amount_fen;
  };
  static_assert(sizeof(Row) == 32);
  // An open-addressing hash index over row numbers. Each slot keeps 32 bits of the key's hash
  // beside the row, so a probe touches the row (and its strings) only when those bits match:
  // one cache miss for the common answer "not funded before".
  struct Slot {
    uint32_t tag = 0;
    uint32_t row = 0;  // row + 1; 0 = empty
  };
  // One slot per distinct key, holding its earliest row (the head); the other rows of the key
  // are chained behind the head, so that a unit with thousands of entries of one measure makes
  // a chain rather than a long run of slots that every probe would cross.
  struct Index {
    ZeroedArray<Slot> slots;  // at most 5/8 full; all zero: empty
    // Per row: the next row of its key (row + 1; 0 = none). Empty for the items' index, which
    // keeps only each key's earliest row.
    HugePageVector<uint32_t> next;
  };
  enum IndexKind { kBySubject, kByMeasure, kByItem };  // (uscc, subject), (uscc, measure), (measure, subject)
  static constexpr size_t kNoStop = SIZE_MAX;
  static constexpr size_t kMostExpected = size_t{1} << 25;  // Expect's cap
  // Index sizes: rows for the (uscc, subject) and (uscc, measure) indexes, which index every row;
  // item rows for the (measure, subject) index, which indexes only those.
  struct Sizes {
    size_t rows, items;
  };
  // The arena's bytes reserved per row: a ledger file's row holds a USCC and a subject; a row a
  // round adds names its application too (`qgrant simulate`'s ids are about 55 bytes). Too few,
  // and the arena is copied whole as it doubles, on the round's in-order step; a reserve costs
  // address space, not memory, until it is used.
  static constexpr size_t kLoadedRowBytes = 40, kRoundRowBytes = 96;
  // Reads one line into a row of `out` (thread-safe: it touches no member); TakeOver then moves
  // the loader's rows into the ledger.
  struct Loader;
  static Status ParseLine(std::string_view line, int64_t line_no, Loader* out);
  Status TakeOver(Loader* loader);
  // LoadFile's parts: the file's lines as rows (not yet indexed), and on an error taking back
  // out the rows from `rows` on and the strings from `arena` on.
  Status LoadRows(std::FILE* file);
  void ReserveForFile(size_t file_bytes, size_t block_bytes, size_t block_lines);
  void TakeBack(size_t rows, size_t arena);
  // A name's id, interned on first sight. The empty name (most rows have no level) is id 0,
  // interned first. A recent name at the same address is checked by comparing the characters
  // (a freed string's address may be reused for another name; SameBytes, as == made a copy of
  // `name` on the stack, written in two halves and read whole, a stall): cheaper than hashing, and
  // the round's rows name the policy's own strings.
  uint16_t Intern(std::string_view name) {
    if (name.empty() && !names_.empty()) return 0;
    const RecentName& slot = recent_[RecentSlot(name.data())];
    if (slot.data == name.data() && SameBytes(names_[slot.id], name)) return slot.id;
    return InternAfresh(name);
  }
  uint16_t InternAfresh(std::string_view name);
  static size_t RecentSlot(const char* data) {
    return (reinterpret_cast<uintptr_t>(data) * 0x9E3779B97F4A7C15ULL) >> 60;
  }
  std::string_view Uscc(const Row& r) const { return {arena_.data() + r.at, r.uscc_len}; }
  std::string_view Subject(const Row& r) const { return {arena_.data() + r.at + r.uscc_len, r.subject_len}; }
  // Row i's application id (empty: none).
  std::string_view ApplicationId(size_t i) const {
    const Row& r = rows_[i];
    const size_t end = i + 1 < rows_.size() ? rows_[i + 1].at : arena_.size();
    const size_t from = r.at + r.uscc_len + r.subject_len;
    return {arena_.data() + from, end - from};
  }
  const std::string& Name(uint16_t id) const { return names_[id]; }
  void AppendRow(const LedgerEntryView& e, bool is_item, bool subject_only);
  static size_t SlotsFor(size_t rows);
  // The slot a key's probe starts at: the high bits of its hash scaled to the table (any size,
  // not only a power of two).
  static size_t Home(uint64_t hash, size_t slots) {
    return static_cast<size_t>((static_cast<__uint128_t>(hash) * slots) >> 64);
  }
  // Sizes the indexes for `want` (or the rows there are, if more) and indexes every row (the three
  // indexes on two threads).
  void Rebuild(Sizes want);
  // The growth step when a row finds its index full: four times the rows while the ledger is
  // small, twice beyond.
  Sizes Grown() const;
  bool SameKey(int kind, const Row& a, const Row& b) const;
  // Indexes `row` in `kind`, probing from its home slot up to (not including) slot `stop` or the
  // end of the table, or round the table with kNoStop; false if it found no place.
  bool Place(int kind, uint64_t hash, uint32_t row, size_t stop);
  // Indexes the last row added.
  void IndexLast(const KeyHashes& h);
  // The head row of the key that `same` recognises, or -1.
  template <typename Same>
  int64_t Head(int kind, uint64_t hash, Same same) const;
  // The earliest row of the key that `same` recognises for which `fits` holds, or -1.
  template <typename Same, typename Fits>
  int64_t Earliest(int kind, uint64_t hash, Same same, Fits fits) const;
  // The (uscc, measure) index's key: whether a row is the unit's under the measure.
  auto OfUnitUnder(std::string_view uscc, std::string_view measure) const {
    return [this, uscc, measure](const Row& r) { return Uscc(r) == uscc && Name(r.measure) == measure; };
  }
  // Calls `visit` with each row number of the unit under the measure, in no order.
  template <typename Visit>
  void ForEachUnder(std::string_view uscc, std::string_view measure, uint64_t hash, Visit visit) const;

  const policy::RuleSet* rules_ = nullptr;
  HugePageVector<Row> rows_;
  HugePageString arena_;
  std::vector<std::string> names_;  // interned policy, measure and level names
  std::unordered_map<std::string, uint16_t, StringHash, std::equal_to<>> name_ids_;
  // The engine adds rows naming the same few policy and measure strings (the same objects)
  // over and over: remember the last names seen by where they live, and compare before hashing.
  struct RecentName {
    const char* data = nullptr;
    size_t size = 0;
    uint16_t id = 0;
  };
  RecentName recent_[16];
  struct NameByContent {
    uint16_t id = 0;  // 0: none (id 0, the empty name, is found by the map)
  };
  NameByContent by_content_[64];
  Sizes reserved_ = {0, 0};  // what the indexes are sized for
  size_t round_rows_ = 0;    // Reserve's hint: rows to come after those loaded
  size_t item_rows_ = 0;     // rows with is_item, indexed or not
  bool index_on_expect_ = false;
  bool unindexed_ = false;  // a file's rows wait for Expect (IndexOnExpect)
  Index indexes_[3];
};

}  // namespace qgrant::engine
