#include "engine/ledger.h"

#include <emmintrin.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

#include "common/file_size.h"
#include "common/huge_pages.h"
#include "common/lines.h"
#include "common/parallel.h"
#include "common/pipeline.h"
#include "common/same_bytes.h"
#include "engine/json_tape.h"
#include "engine/uscc.h"
#include "policy/keys.h"

namespace qgrant::engine {

const char* ScopeName(Scope s) {
  switch (s) {
    case Scope::kCity:
      return "city";
    case Scope::kDistrict:
      return "district";
    case Scope::kProvince:
      return "province";
    case Scope::kNational:
      return "national";
  }
  return "city";
}

Ledger::Ledger() {
  Intern("");  // id 0: the empty name (no level)
  Rebuild({0, 0});
}

namespace {

// A slot of 64 for a name, from its length and its first and last eight bytes: where the caches
// of names by content (Ledger::InternAfresh, Loader::Local) remember the name's id.
size_t NameSlot(std::string_view name) {
  uint64_t head = 0, tail = 0;
  if (!name.empty()) std::memcpy(&head, name.data(), std::min<size_t>(name.size(), 8));
  if (name.size() > 8) std::memcpy(&tail, name.data() + name.size() - 8, 8);
  return ((head ^ tail * 0x9E3779B97F4A7C15ULL ^ name.size()) * 0x9E3779B97F4A7C15ULL) >> 58;
}

// The last `n` (0 to 7) bytes of `s` as a little-endian number, without reading outside `s`
// and without a call to memcpy of a variable size: overlapping loads of fixed sizes, as wyhash
// reads its short inputs.
uint64_t Tail(std::string_view s, size_t n) {
  const char* p = s.data() + s.size() - n;
  auto load = [](const char* at, auto word) {
    std::memcpy(&word, at, sizeof word);
    return static_cast<uint64_t>(word);
  };
  if (n == 0) return 0;
  if (s.size() >= 8) return load(s.data() + s.size() - 8, uint64_t{0}) >> (8 * (8 - n));
  if (n >= 4) return load(p, uint32_t{0}) | load(p + n - 4, uint32_t{0}) << (8 * (n - 4));
  const auto byte = [&](size_t k) { return static_cast<uint64_t>(static_cast<unsigned char>(p[k])) << (8 * k); };
  return byte(0) | byte(n / 2) | byte(n - 1);
}

// Eight bytes at a time, multiply and fold (as wyhash does); each part ends with its length, so
// that ("ab","c") and ("a","bc") differ.
uint64_t Absorb(uint64_t h, std::string_view s) {
  auto mix = [](uint64_t h, uint64_t v) {
    __uint128_t m = static_cast<__uint128_t>(h ^ v) * 0x9E3779B97F4A7C15ULL;
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  };
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    h = mix(h, v);
  }
  return mix(h, Tail(s, s.size() - i) ^ (static_cast<uint64_t>(s.size()) << 56));
}

}  // namespace

uint64_t Ledger::KeyHashPrefix(std::string_view a) { return Absorb(0x243F6A8885A308D3ULL, a); }

uint64_t Ledger::KeyHashWith(uint64_t prefix, std::string_view b) { return Absorb(prefix, b); }

uint64_t Ledger::KeyHash(std::string_view a, std::string_view b) { return KeyHashWith(KeyHashPrefix(a), b); }

uint16_t Ledger::InternAfresh(std::string_view name) {
  RecentName& slot = recent_[RecentSlot(name.data())];
  // Names read from a file live at a new address each time: a second cache by content.
  NameByContent& known = by_content_[NameSlot(name)];
  if (known.id != 0 && SameBytes(names_[known.id], name)) {
    slot = {name.data(), name.size(), known.id};
    return known.id;
  }
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) {
    slot = {name.data(), name.size(), it->second};
    known.id = it->second;
    return it->second;
  }
  uint16_t id = static_cast<uint16_t>(names_.size());
  names_.emplace_back(name);
  name_ids_.emplace(std::string(name), id);
  known.id = id;
  return id;
}

LedgerEntry Ledger::entry(size_t i) const {
  const Row& r = rows_[i];
  LedgerEntry e;
  e.uscc = std::string(Uscc(r));
  e.subject = std::string(Subject(r));
  e.policy = Name(r.policy);
  e.measure = Name(r.measure);
  e.level = Name(r.level);
  e.amount_fen = r.amount_fen;
  e.granted_on.days = r.granted_days;
  e.scope = static_cast<Scope>(r.scope);
  e.in_round = r.in_round;
  e.application_id = std::string(ApplicationId(i));
  return e;
}

namespace {
// A slot keeps the low half of its key's hash; the high half picks the home slot (Home).
uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash); }

// A USCC's length as a row keeps it. A unit is funded only with a valid USCC (18 characters), and
// a ledger line's is refused beyond 64 bytes.
uint16_t UsccLength(std::string_view uscc) {
  if (uscc.size() > UINT16_MAX) throw std::length_error("USCC longer than 65,535 bytes");
  return static_cast<uint16_t>(uscc.size());
}
}  // namespace

bool Ledger::SameKey(int kind, const Row& a, const Row& b) const {
  switch (kind) {
    case kBySubject:
      return Uscc(a) == Uscc(b) && Subject(a) == Subject(b);
    case kByMeasure:
      return a.measure == b.measure && Uscc(a) == Uscc(b);
    default:
      return a.measure == b.measure && Subject(a) == Subject(b);
  }
}

bool Ledger::Place(int kind, uint64_t hash, uint32_t row, size_t stop) {
  Index& index = indexes_[kind];
  const size_t size = index.slots.size();
  const uint32_t tag = Tag(hash);
  auto place_at = [&](size_t i) {
    Slot& slot = index.slots[i];
    if (slot.row == 0) {
      slot = {tag, row + 1};
      return true;
    }
    if (slot.tag == tag && SameKey(kind, rows_[slot.row - 1], rows_[row])) {
      if (kind == kByItem) return true;  // only the earliest is ever asked for (FindItem)
      // Behind the head of its key: the head stays the earliest row, the others follow it.
      const uint32_t head = slot.row - 1;
      index.next[row] = index.next[head];
      index.next[head] = row + 1;
      return true;
    }
    return false;
  };
  if (stop == kNoStop) {
    for (size_t i = Home(hash, size);; i = i + 1 == size ? 0 : i + 1) {
      if (place_at(i)) return true;
    }
  }
  // Bounded, the probe does not wrap round the end of the table: the slots past `stop`, and
  // those at its start, may be another thread's.
  for (size_t i = Home(hash, size); i < stop && i < size; ++i) {
    if (place_at(i)) return true;
  }
  return false;
}

size_t Ledger::SlotsFor(size_t rows) {
  // At most 5/8 full, and no larger: a table sized up to a power of two was up to twice this,
  // every byte of it zeroed when made (a tenth of eval's time went to the kernel clearing pages).
  return std::max<size_t>(2048, rows / 5 * 8 + 8);
}

void Ledger::Rebuild(Sizes more) {
  const uint32_t n = static_cast<uint32_t>(rows_.size());
  item_rows_ = static_cast<size_t>(std::count_if(rows_.begin(), rows_.end(), [](const Row& r) { return r.is_item; }));
  reserved_ = {std::max(reserved_.rows, n + more.rows), std::max(reserved_.items, item_rows_ + more.items)};
  unindexed_ = false;
  const size_t slots[3] = {SlotsFor(reserved_.rows), SlotsFor(reserved_.rows), SlotsFor(reserved_.items)};
  // Room for the rows the indexes are sized for, so that the vectors do not double past them
  // (a reserve costs address space, not memory, until it is used).
  rows_.reserve(reserved_.rows);
  const size_t row_bytes = std::max(kRoundRowBytes, n != 0 ? arena_.size() / n : 0);
  arena_.reserve(arena_.size() + (reserved_.rows - n) * row_bytes);
  for (int k = 0; k < 3; ++k) {
    indexes_[k].slots = ZeroedArray<Slot>(slots[k]);
    if (k == kByItem) continue;  // no chains
    indexes_[k].next.reserve(reserved_.rows);
    indexes_[k].next.assign(n, 0);
  }
  if (n == 0) return;
  const size_t threads = n < 65536 ? 1 : std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  // The keys' hashes first, on every thread.
  std::vector<uint64_t> hashes(3 * static_cast<size_t>(n));
  ParallelSlices(n, threads, [&](size_t begin, size_t end, size_t) {
    for (size_t i = begin; i < end; ++i) {
      const Row& r = rows_[i];
      hashes[3 * i] = KeyHash(Uscc(r), Subject(r));
      hashes[3 * i + 1] = KeyHash(Uscc(r), Name(r.measure));
      hashes[3 * i + 2] = KeyHash(Name(r.measure), Subject(r));
    }
  });
  // Then each thread fills its own range of slots in every index: the rows whose home slot is in
  // the range, in row order, so that of two rows with the same key the earlier is met first. A
  // row whose probe would leave the range is set aside and inserted afterwards, in row order:
  // the slots it passed are all taken, so linear probing still finds it.
  std::vector<std::vector<uint64_t>> overflow(threads);
  auto fill_range = [&](size_t t) {
    size_t lo[3], hi[3];
    for (int k = 0; k < 3; ++k) {
      lo[k] = slots[k] / threads * t;
      hi[k] = t + 1 == threads ? slots[k] : slots[k] / threads * (t + 1);
    }
    auto place = [&](int k, uint32_t row) {
      if (!Place(k, hashes[3 * size_t{row} + k], row, hi[k]))
        overflow[t].push_back(uint64_t{row} * 4 + static_cast<uint64_t>(k));
    };
    // Inserting a few rows behind the hash, once its slot has been asked for (a prefetch): a
    // million random inserts would otherwise wait on a million cache misses one by one.
    constexpr uint32_t kAhead = 8;
    for (uint32_t i = 0; i < n + kAhead; ++i) {
      if (i < n) {
        for (int k = 0; k < 3; ++k) {
          const uint64_t hash = hashes[3 * size_t{i} + k];
          const size_t home = Home(hash, slots[k]);
          if (home >= lo[k] && home < hi[k]) __builtin_prefetch(&indexes_[k].slots[home], 1);
        }
      }
      if (i < kAhead) continue;
      const uint32_t row = i - kAhead;
      for (int k = 0; k < 3; ++k) {
        if (k == 2 && !rows_[row].is_item) continue;
        const size_t home = Home(hashes[3 * size_t{row} + k], slots[k]);
        if (home >= lo[k] && home < hi[k]) place(k, row);
      }
    }
  };
  JoiningThreads helpers;
  for (size_t t = 1; t < threads; ++t) helpers.Run([&fill_range, t] { fill_range(t); });
  fill_range(0);
  helpers.Join();
  std::vector<uint64_t> rest;
  for (const auto& o : overflow) rest.insert(rest.end(), o.begin(), o.end());
  std::sort(rest.begin(), rest.end());
  for (uint64_t v : rest)
    Place(static_cast<int>(v % 4), hashes[3 * (v / 4) + v % 4], static_cast<uint32_t>(v / 4), kNoStop);
}

void Ledger::Expect(size_t rows, size_t item_rows) {
  const Sizes more = {std::min(rows, kMostExpected), std::min(item_rows, kMostExpected)};
  if (unindexed_ || rows_.size() + more.rows > reserved_.rows || item_rows_ + more.items > reserved_.items)
    Rebuild(more);
}

Ledger::Sizes Ledger::Grown() const {
  // Each growth writes fresh memory the size of the ledger (its rows moved, its indexes made
  // anew), on the in-order step, and a first touch is slow here: growing by four makes a third
  // of that, not the whole again.
  const size_t times = rows_.size() < (size_t{1} << 20) ? 3 : 1;  // more, beside what there is
  return {rows_.size() * times, item_rows_ * times};
}

void Ledger::AppendRow(const LedgerEntryView& e, bool is_item, bool subject_only) {
  Row r;
  r.at = arena_.size();
  r.uscc_len = UsccLength(e.uscc);
  r.subject_len = static_cast<uint32_t>(e.subject.size());
  arena_ += e.uscc;
  arena_ += e.subject;
  arena_ += e.application_id;
  r.policy = Intern(e.policy);
  r.measure = Intern(e.measure);
  r.level = Intern(e.level);
  r.granted_days = static_cast<int32_t>(e.granted_on.days);
  r.amount_fen = e.amount_fen;
  r.is_item = is_item;
  r.subject_only = subject_only;
  r.scope = static_cast<uint64_t>(Scope::kCity);
  r.in_round = true;
  rows_.push_back(r);
}

void Ledger::Add(const LedgerEntryView& e, const KeyHashes& h, bool is_item, bool subject_only) {
  AppendRow(e, is_item, subject_only);
  IndexLast(h);
}

void Ledger::IndexLast(const KeyHashes& h) {
  const uint32_t row = static_cast<uint32_t>(rows_.size() - 1);
  item_rows_ += rows_[row].is_item;
  if (unindexed_ || rows_.size() > reserved_.rows || item_rows_ > reserved_.items) {
    Rebuild(Grown());
    return;
  }
  indexes_[kBySubject].next.resize(rows_.size());
  indexes_[kByMeasure].next.resize(rows_.size());
  Place(kBySubject, h.subject, row, kNoStop);
  Place(kByMeasure, h.measure, row, kNoStop);
  if (rows_[row].is_item) Place(kByItem, h.item, row, kNoStop);
}

void Ledger::Prefetch(uint64_t subject_hash, uint64_t measure_hash) const {
  const Index& s = indexes_[kBySubject];
  const Index& m = indexes_[kByMeasure];
  __builtin_prefetch(&s.slots[Home(subject_hash, s.slots.size())]);
  __builtin_prefetch(&m.slots[Home(measure_hash, m.slots.size())]);
}

void Ledger::PrefetchItem(uint64_t subject_hash, uint64_t item_hash) const {
  const Index& s = indexes_[kBySubject];
  const Index& i = indexes_[kByItem];
  __builtin_prefetch(&s.slots[Home(subject_hash, s.slots.size())]);
  __builtin_prefetch(&i.slots[Home(item_hash, i.slots.size())]);
}

template <typename Same>
int64_t Ledger::Head(int kind, uint64_t hash, Same same) const {
  const Index& index = indexes_[kind];
  if (unindexed_) throw std::logic_error("ledger: a lookup before the loaded rows were indexed (Expect)");
  const size_t size = index.slots.size();
  const uint32_t tag = Tag(hash);
  for (size_t i = Home(hash, size); index.slots[i].row != 0; i = i + 1 == size ? 0 : i + 1) {
    if (index.slots[i].tag == tag && same(rows_[index.slots[i].row - 1])) return index.slots[i].row - 1;
  }
  return -1;
}

template <typename Same, typename Fits>
int64_t Ledger::Earliest(int kind, uint64_t hash, Same same, Fits fits) const {
  const int64_t head = Head(kind, hash, same);
  if (head < 0) return -1;
  // The head is the key's earliest row; the others are chained behind it, not in order.
  if (fits(rows_[head])) return head;
  const auto& next = indexes_[kind].next;
  uint32_t best = UINT32_MAX;
  for (uint32_t r = next[head]; r != 0; r = next[r - 1]) {
    if (r - 1 < best && fits(rows_[r - 1])) best = r - 1;
  }
  return best == UINT32_MAX ? -1 : static_cast<int64_t>(best);
}

std::optional<LedgerEntry> Ledger::FindSubject(std::string_view uscc, std::string_view subject, uint64_t hash) const {
  const int64_t row = Earliest(
      kBySubject, hash, [&](const Row& r) { return Uscc(r) == uscc && Subject(r) == subject; },
      [](const Row& r) { return static_cast<Scope>(r.scope) == Scope::kCity && (r.in_round || r.amount_fen > 0); });
  if (row < 0) return std::nullopt;
  return entry(static_cast<size_t>(row));
}

template <typename Visit>
void Ledger::ForEachUnder(std::string_view uscc, std::string_view measure, uint64_t hash, Visit visit) const {
  const int64_t head = Head(kByMeasure, hash, OfUnitUnder(uscc, measure));
  if (head < 0) return;
  const auto& next = indexes_[kByMeasure].next;
  for (uint32_t r = static_cast<uint32_t>(head) + 1; r != 0; r = next[r - 1]) visit(r - 1);
}

std::optional<LedgerEntry> Ledger::FindLevel(std::string_view uscc, std::string_view measure, std::string_view level,
                                             uint64_t hash) const {
  const int64_t row = Earliest(kByMeasure, hash, OfUnitUnder(uscc, measure), [&](const Row& r) {
    return !r.subject_only && (level.empty() || Name(r.level) == level);
  });
  if (row < 0) return std::nullopt;
  return entry(static_cast<size_t>(row));
}

std::optional<LedgerEntry> Ledger::FindItem(std::string_view measure, std::string_view key, uint64_t hash) const {
  const int64_t head =
      Head(kByItem, hash, [&](const Row& r) { return Name(r.measure) == measure && Subject(r) == key; });
  if (head < 0) return std::nullopt;
  return entry(static_cast<size_t>(head));
}

std::optional<LedgerEntry> Ledger::FindInRound(std::string_view uscc, std::string_view measure, uint64_t hash) const {
  const int64_t row = Earliest(kByMeasure, hash, OfUnitUnder(uscc, measure),
                               [](const Row& r) { return r.in_round && !r.subject_only; });
  if (row < 0) return std::nullopt;
  return entry(static_cast<size_t>(row));
}

int64_t Ledger::CountPaid(std::string_view uscc, std::string_view measure, uint64_t hash, policy::Date first,
                          policy::Date last) const {
  int64_t n = 0;
  ForEachUnder(uscc, measure, hash, [&](uint32_t r) {
    const Row& row = rows_[r];
    const bool when = row.in_round || (row.granted_days >= first.days && row.granted_days <= last.days);
    n += !row.subject_only && row.amount_fen > 0 && when;
  });
  return n;
}

std::vector<LedgerEntry> Ledger::EntriesFor(std::string_view uscc, std::string_view measure) const {
  std::vector<uint32_t> rows;
  ForEachUnder(uscc, measure, KeyHash(uscc, measure), [&](uint32_t r) {
    if (!rows_[r].subject_only) rows.push_back(r);
  });
  std::sort(rows.begin(), rows.end());
  std::vector<LedgerEntry> out;
  for (uint32_t r : rows) out.push_back(entry(r));
  return out;
}

// What one thread makes of its share of a block of ledger lines: rows whose strings are in
// `strings` (offsets from its start) and whose names are numbered locally, for the ledger to
// take over in file order (TakeOver). Local names persist from block to block.
struct Ledger::Loader {
  std::string strings;
  std::string decoded;  // a line's strings with escapes, decoded (ReadPlainLedgerLine)
  std::vector<Row> rows;
  std::vector<std::string> names;  // local id -> name
  std::unordered_map<std::string, uint16_t, StringHash, std::equal_to<>> ids;
  std::vector<uint16_t> global;  // local id -> the ledger's id, for names taken over
  // The id last found for a name in its NameSlot: a line names a policy, a measure and a level,
  // so one id remembered for the last name never matched.
  uint16_t recent[64];
  Status error;                            // the first bad line of this share; the rest of the share is skipped
  const policy::RuleSet* rules = nullptr;  // lines are checked against it when set

  Loader() { std::fill(std::begin(recent), std::end(recent), UINT16_MAX); }

  uint16_t Local(std::string_view name) {
    uint16_t& seen = recent[NameSlot(name)];
    // SameBytes rather than ==, which made a copy of `name` on the stack, written in two halves
    // and read whole: a stall (the same in Ledger::Intern).
    if (seen < names.size() && SameBytes(names[seen], name)) return seen;
    auto it = ids.find(name);
    if (it != ids.end()) return seen = it->second;
    const uint16_t id = static_cast<uint16_t>(std::min<size_t>(names.size(), UINT16_MAX));
    if (names.size() < UINT16_MAX) {
      names.emplace_back(name);
      ids.emplace(std::string(name), id);
    }
    return seen = id;
  }

  // `level` of a line of measure `m` as an application's level reads (ApplicationReader::
  // ReadLevel): a level compared as a key is spelt as the policy's data spells it ("HIGHER " is
  // "higher"), or else as its key; so that the first-time rule finds it whatever its case.
  std::string_view Level(const policy::Measure& m, std::string_view level, std::string* scratch) {
    if (level.empty() || m.level_fact.empty()) return level;
    const policy::FactSpec* spec = nullptr;
    for (const auto& f : m.facts) {
      if (f.name == m.level_fact) spec = &f;
    }
    if (spec == nullptr || spec->match == policy::FactSpec::Match::kExact) return level;
    const bool standard = spec->match == policy::FactSpec::Match::kStandard;
    if (spellings[standard].empty()) {
      policy::ForEachDataString(rules->data, [&](const std::string& s) {
        spellings[standard].emplace(standard ? policy::StandardKey(s) : policy::MatchKey(s), s);
      });
    }
    *scratch = standard ? policy::StandardKey(level) : policy::MatchKey(level);
    auto it = spellings[standard].find(*scratch);
    return it != spellings[standard].end() ? std::string_view(it->second) : std::string_view(*scratch);
  }

 private:
  // A key -> the data's spelling, for keys and for standards (the first string of each key).
  std::unordered_map<std::string, std::string> spellings[2];
};

namespace {

// The members of a ledger line that matter, the first of each name.
enum LedgerField {
  kUscc,
  kPolicy,
  kMeasure,
  kLevel,
  kSubject,
  kGrantedOn,
  kScope,
  kApplicationId,
  kRound,
  kAmountFen,
  kLedgerFields
};
constexpr const char* kLedgerFieldNames[kLedgerFields] = {
    "uscc", "policy", "measure", "level", "subject", "granted_on", "scope", "application_id", "round", "amount_fen"};

LedgerField LedgerFieldOf(std::string_view key) {
  // The length settles most names; a comparison of known length is a few loads, not a call.
  // (The length is the literal's, so that the comparison is inlined rather than a call.)
  auto is = [&key]<size_t N>(const char(&name)[N]) { return std::memcmp(key.data(), name, N - 1) == 0; };
  switch (key.size()) {
    case 4:
      return is("uscc") ? kUscc : kLedgerFields;
    case 5:
      return is("level") ? kLevel : is("scope") ? kScope : is("round") ? kRound : kLedgerFields;
    case 6:
      return is("policy") ? kPolicy : kLedgerFields;
    case 14:
      return is("application_id") ? kApplicationId : kLedgerFields;
    case 7:
      return is("measure") ? kMeasure : is("subject") ? kSubject : kLedgerFields;
    case 10:
      return is("granted_on") ? kGrantedOn : is("amount_fen") ? kAmountFen : kLedgerFields;
    default:
      return kLedgerFields;
  }
}

// "line N: ", which every error about a line starts with: written only when there is an error
// (formatting it for every line was a tenth of reading a plain one).
struct LinePrefix {
  int64_t line_no;
  std::string operator+(std::string_view rest) const {
    std::string out = "line " + std::to_string(line_no) + ": ";
    out += rest;
    return out;
  }
};

struct LedgerLine {
  bool given[kLedgerFields] = {};        // present and not null
  bool not_string[kLedgerFields] = {};   // given, but not the string it must be
  std::string_view text[kLedgerFields];  // the string fields
  int64_t amount_fen = 0;                // negative: not a whole number of fen
};

// The text of a line in the plain form (ReadPlainLedgerLine), read from `p` on. Each step
// returns false for what the plain form does not allow, and the line goes to the full parser.
struct PlainText {
  const char* p;
  const char* end;
  char* decoded;                    // room for the strings with escapes, decoded: the line's size
  const char* wide_from = nullptr;  // the first byte above 127 in a string, if any
  const char* wide_to = nullptr;    // past the last

  bool AtEnd() const { return p == end; }
  void SkipSpace() {
    // Most calls find no white space, or one space (as ", " and ": " are written).
    if (p < end && *p == ' ') ++p;
    if (p == end || static_cast<unsigned char>(*p) > ' ') return;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
  }
  // Takes `c`, if it comes next.
  bool Take(char c) {
    if (p == end || *p != c) return false;
    ++p;
    return true;
  }
  // Takes `word` (null, true, false), spelt out.
  bool Word(std::string_view word) {
    if (static_cast<size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0) return false;
    p += word.size();
    return true;
  }
  void NoteWide(const char* at) {
    if (wide_from == nullptr) wide_from = at;
    wide_to = at + 1;
  }
  // A string without control characters: its text, between the quotes, or decoded when it has
  // escapes (as a ledger written by Python's json has for every Chinese character). Where its
  // bytes above 127 are is noted, for one check of the line's UTF-8 (ReadPlainLedgerLine).
  bool String(std::string_view* s) {
    if (!Take('"')) return false;
    const char* start = p;
    // Sixteen bytes at a time up to the first quote, backslash or control byte; the bytes above
    // 127 before it are noted at once.
    for (; end - p >= 16; p += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
      const __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), control),
                                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
      const auto stop = static_cast<unsigned>(_mm_movemask_epi8(stops));
      const auto wide = static_cast<unsigned>(_mm_movemask_epi8(v)) & (stop == 0 ? 0xFFFFu : (stop & -stop) - 1);
      if (wide != 0) {
        if (wide_from == nullptr) wide_from = p + __builtin_ctz(wide);
        wide_to = p + 32 - __builtin_clz(wide);
      }
      if (stop != 0) {
        p += __builtin_ctz(stop);
        break;
      }
    }
    while (p < end && *p != '"') {
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c == '\\') return Escaped(start, s);
      if (c < 0x20) return false;
      if (c >= 0x80) NoteWide(p);
      ++p;
    }
    if (p == end) return false;
    *s = std::string_view(start, static_cast<size_t>(p - start));
    ++p;
    return true;
  }
  // The string from `start` (past its opening quote), which holds an escape, decoded as the full
  // parser decodes it (json::DecodeString; false for what that leaves to the parser).
  bool Escaped(const char* start, std::string_view* s) {
    size_t size;
    const char* const close = json::DecodeString(start, end, decoded, &size);
    if (close == nullptr) return false;
    for (const char* q = start; q < close; ++q) {
      if (static_cast<unsigned char>(*q) >= 0x80) NoteWide(q);
    }
    *s = std::string_view(decoded, size);
    decoded += size;
    p = close + 1;
    return true;
  }
  // A whole number of at most 18 digits, without a leading zero, a fraction or an exponent (a
  // longer one might not fit in 64 bits: the full parser reads it).
  bool WholeNumber(int64_t* out) {
    const bool negative = *p == '-';
    if (negative) ++p;
    const char* digits = p;
    int64_t value = 0;
    for (; p < end && *p >= '0' && *p <= '9'; ++p) {
      if (p - digits < 18) value = value * 10 + (*p - '0');  // longer numbers are declined below
    }
    const size_t n = static_cast<size_t>(p - digits);
    if (n == 0 || n > 18 || (n > 1 && *digits == '0')) return false;
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return false;
    *out = negative ? -value : value;
    return true;
  }
};

// The value of field `f`, at `in` (not at its end): null, or the type the field must have.
inline bool ReadPlainValue(PlainText* in, LedgerField f, LedgerLine* out) {
  const char c = *in->p;
  if (c == 'n') return in->Word("null");
  if (c == '"') {
    std::string_view value;
    if (f == kAmountFen || !in->String(&value)) return false;
    out->given[f] = true;
    out->text[f] = value;
    return true;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    int64_t value;
    if (f != kAmountFen || !in->WholeNumber(&value)) return false;
    out->given[f] = true;
    out->amount_fen = value;
    return true;
  }
  return false;  // true or false (no field of a ledger line is a bool), an object, a list
}

// One member, "name": value, of a field that `seen` does not have yet.
inline bool ReadPlainMember(PlainText* in, bool* seen, LedgerLine* out) {
  in->SkipSpace();
  std::string_view key;
  if (!in->String(&key)) return false;
  in->SkipSpace();
  if (!in->Take(':')) return false;
  in->SkipSpace();
  if (in->AtEnd()) return false;
  const LedgerField f = LedgerFieldOf(key);
  if (f == kLedgerFields || seen[f]) return false;  // unknown or repeated: the full parser says so
  seen[f] = true;
  return ReadPlainValue(in, f, out);
}

// Reads a line in the form ledgers are written in: one flat object whose values are strings
// (valid UTF-8: Chinese subjects and policy names are common; escapes decoded into `decoded`,
// room for the line's bytes), whole numbers, true, false or null, each field of the type it must
// have. Anything else (a surrogate or unknown escape, invalid UTF-8, a byte above 127 outside a
// string, nesting, a fraction, a field of the wrong type, a syntax error) returns false, and the
// line goes to the full JSON parser, which accepts it or says what is wrong. What this accepts,
// that parser accepts with the same values.
bool ReadPlainLedgerLine(std::string_view line, char* decoded, LedgerLine* out) {
  PlainText in{line.data(), line.data() + line.size(), decoded};
  bool seen[kLedgerFields] = {};
  in.SkipSpace();
  if (!in.Take('{')) return false;
  in.SkipSpace();
  if (!in.Take('}')) {
    do {
      if (!ReadPlainMember(&in, seen, out)) return false;
      in.SkipSpace();
    } while (in.Take(','));
    if (!in.Take('}')) return false;
  }
  in.SkipSpace();
  if (!in.AtEnd()) return false;
  // Bytes above 127 are in strings only, and a UTF-8 sequence never spans a quote: the bytes from
  // the first to the last are valid exactly when every string is. One call for the line.
  return in.wide_from == nullptr ||
         simdjson::validate_utf8(in.wide_from, static_cast<size_t>(in.wide_to - in.wide_from));
}

}  // namespace

namespace {

// The members of a line through the full JSON parser: unknown and repeated names are errors.
Status ReadLedgerObject(const simdjson::dom::object& obj, const LinePrefix& where, LedgerLine* fields) {
  bool seen[kLedgerFields] = {};
  for (const auto [key, value] : obj) {
    const LedgerField f = LedgerFieldOf(key);
    if (f == kLedgerFields) return Status::ParseError(where + "unknown field '" + std::string(key) + "'");
    if (seen[f]) return Status::ParseError(where + "field '" + std::string(key) + "' is given twice");
    seen[f] = true;
    if (value.is_null()) continue;
    fields->given[f] = true;
    if (f == kAmountFen) {
      if (value.get_int64().get(fields->amount_fen) != simdjson::SUCCESS) fields->amount_fen = -1;  // reported below
    } else if (value.get_string().get(fields->text[f]) != simdjson::SUCCESS) {
      fields->not_string[f] = true;
    }
  }
  return Status::Ok();
}

bool ParseScope(std::string_view text, Scope* out) {
  for (Scope s : {Scope::kCity, Scope::kDistrict, Scope::kProvince, Scope::kNational}) {
    if (text == ScopeName(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

// A line naming a measure of the policy that has levels must carry one of them (a ledger line is
// checked as an application is): a wrong level would let the unit be paid for it again.
Status CheckLevel(const policy::Measure* m, std::string_view measure, std::string_view level, const LinePrefix& where) {
  // Levels that key a first-time or one-time rule (（八） awards and grades, （九） maturity, （十）
  // zones); a level that only names a category (（二）) keys nothing.
  if (m == nullptr || m->level_fact.empty() ||
      (m->once != policy::OnceRule::kFirstTime && m->once != policy::OnceRule::kOneTime)) {
    return Status::Ok();
  }
  const policy::FactSpec* spec = nullptr;
  for (const auto& f : m->facts) {
    if (f.name == m->level_fact) spec = &f;
  }
  if (level.empty()) {
    return Status::ParseError(where + "'level' is required for measure '" + std::string(measure) + "' (its " +
                              m->level_fact + ")");
  }
  if (spec != nullptr && !spec->enum_values.empty() &&
      std::find(spec->enum_values.begin(), spec->enum_values.end(), level) == spec->enum_values.end()) {
    std::string known;
    for (const auto& v : spec->enum_values) known += (known.empty() ? "" : ", ") + v;
    return Status::ParseError(where + "'level' " + std::string(level) + " is not a level of measure '" +
                              std::string(measure) + "' (" + known + ")");
  }
  return Status::Ok();
}

// A line's USCC is checked as an application's is: a code in lower case or with a wrong check
// character would match no application's, and the unit would be paid again.
Status CheckUsccOf(std::string_view uscc, const LinePrefix& where) {
  switch (CheckUscc(uscc)) {
    case UsccProblem::kNone:
      return Status::Ok();
    case UsccProblem::kLength:
      return Status::ParseError(where + "'uscc' must have 18 characters, found " + std::to_string(uscc.size()));
    case UsccProblem::kCharacter:
      return Status::ParseError(where +
                                "'uscc' has a character outside the GB 32100 set (digits and upper-case letters "
                                "except I, O, Z, S, V)");
    case UsccProblem::kCheckCharacter:
      return Status::ParseError(where + "'uscc' has a wrong check character (GB 32100-2015)");
  }
  return Status::Ok();
}

}  // namespace

// `line` must be followed by SIMDJSON_PADDING readable bytes (whatever they hold).
Status Ledger::ParseLine(std::string_view line, int64_t line_no, Loader* out) {
  const LinePrefix where{line_no};
  LedgerLine fields;
  if (out->decoded.size() < line.size()) out->decoded.resize(line.size());
  if (!ReadPlainLedgerLine(line, out->decoded.data(), &fields)) {
    fields = LedgerLine();
    static thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(line.data(), line.size(), false).get(doc) != simdjson::SUCCESS) {
      return Status::ParseError(where + "not valid JSON");
    }
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return Status::ParseError(where + "not a JSON object");
    QGRANT_RETURN_IF_ERROR(ReadLedgerObject(obj, where, &fields));
  }
  // The string fields in this order, so that a line with several faults is reported the same
  // way whichever reader read it.
  for (LedgerField f : {kUscc, kPolicy, kMeasure, kLevel, kSubject, kGrantedOn, kScope, kApplicationId, kRound}) {
    const bool required = f == kUscc || f == kPolicy || f == kMeasure || f == kSubject;
    const char* name = kLedgerFieldNames[f];
    if (!fields.given[f]) {
      if (required) return Status::ParseError(where + "missing '" + name + "'");
    } else if (fields.not_string[f]) {
      return Status::ParseError(where + "'" + name + "' must be a string");
    } else if (required && fields.text[f].empty()) {
      return Status::ParseError(where + "'" + name + "' must not be empty");
    }
  }
  Row r;
  policy::Date granted;
  if (!fields.text[kGrantedOn].empty() && !policy::ParseDate(fields.text[kGrantedOn], &granted)) {
    return Status::ParseError(where + "'granted_on' is not a date YYYY-MM-DD");
  }
  r.granted_days = static_cast<int32_t>(granted.days);
  r.amount_fen = fields.given[kAmountFen] ? fields.amount_fen : 0;
  if (r.amount_fen < 0) return Status::ParseError(where + "'amount_fen' must be a whole number of fen, not negative");
  if (r.amount_fen > policy::kMaxAmountFen) return Status::ParseError(where + "'amount_fen' is above 10^15 fen");
  Scope scope = Scope::kCity;
  if (fields.given[kScope] && !ParseScope(fields.text[kScope], &scope)) {
    return Status::ParseError(where + "'scope' must be city, district, province or national");
  }
  r.scope = static_cast<uint64_t>(scope);
  r.in_round = false;
  std::string_view level = fields.text[kLevel];
  std::string level_key;
  if (out->rules != nullptr) {
    QGRANT_RETURN_IF_ERROR(CheckUsccOf(fields.text[kUscc], where));
    const policy::Measure* m = out->rules->FindMeasure(fields.text[kMeasure]);
    QGRANT_RETURN_IF_ERROR(CheckLevel(m, fields.text[kMeasure], level, where));
    if (m != nullptr) level = out->Level(*m, level, &level_key);
  }
  const std::string_view uscc = fields.text[kUscc];
  std::string subject_key;
  std::string_view subject = fields.text[kSubject];
  if (!policy::IsMatchKey(subject)) {
    subject_key = policy::MatchKey(subject);
    subject = subject_key;
    if (subject.empty()) return Status::ParseError(where + "'subject' must not be empty");
  }
  if (uscc.size() > 64) return Status::ParseError(where + "'uscc' too long");
  if (subject.size() > UINT32_MAX / 2) return Status::ParseError(where + "'subject' too long");
  r.at = out->strings.size();
  r.uscc_len = static_cast<uint16_t>(uscc.size());
  r.subject_len = static_cast<uint32_t>(subject.size());
  out->strings.append(uscc);
  out->strings.append(subject);
  out->strings.append(fields.text[kApplicationId]);
  r.policy = out->Local(fields.text[kPolicy]);
  r.measure = out->Local(fields.text[kMeasure]);
  r.level = out->Local(level);
  // Every ledger entry funds its subject; for a per-item measure the subject is the item
  // (certificate number) itself, so it is also indexed as an item.
  r.is_item = true;
  r.subject_only = false;
  out->rows.push_back(r);
  return Status::Ok();
}

Status Ledger::TakeOver(Loader* loader) {
  // Names are kept as 16-bit ids; a real ledger has a few dozen policies, measures and levels.
  while (loader->global.size() < loader->names.size()) {
    if (names_.size() > 60000) return Status::ParseError("more than 60,000 distinct policy, measure and level names");
    loader->global.push_back(Intern(loader->names[loader->global.size()]));
  }
  const uint64_t base = arena_.size();
  arena_ += loader->strings;
  for (Row r : loader->rows) {
    r.at += base;
    r.policy = loader->global[r.policy];
    r.measure = loader->global[r.measure];
    r.level = loader->global[r.level];
    rows_.push_back(r);
  }
  loader->strings.clear();
  loader->rows.clear();
  return Status::Ok();
}

Status Ledger::LoadLine(std::string_view line, int64_t line_no) {
  std::string padded(line);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  Loader loader;
  loader.rules = rules_;
  QGRANT_RETURN_IF_ERROR(ParseLine(std::string_view(padded).substr(0, line.size()), line_no, &loader));
  QGRANT_RETURN_IF_ERROR(TakeOver(&loader));
  const Row& r = rows_.back();
  IndexLast({KeyHash(Uscc(r), Subject(r)), KeyHash(Uscc(r), Name(r.measure)), KeyHash(Name(r.measure), Subject(r))});
  return Status::Ok();
}

namespace {

// A block of a ledger file: whole lines, then padding for the parser.
struct LineBlock {
  HugePageBuffer text;                  // the lines from the start, then the parser's padding
  size_t bytes = 0;                     // of the file's text in `text`
  std::vector<std::string_view> lines;  // not blank
  std::vector<int64_t> numbers;         // each line's number in the file
};

// Reads a ledger file a block of whole lines at a time, in order (LoadFile's fill).
class LineBlockReader {
 public:
  // `file_bytes`: the file's size when known (0 otherwise): a smaller file is read as one block
  // of its own size, not into a whole block's buffer first zero-filled.
  LineBlockReader(std::FILE* file, size_t file_bytes)
      : file_(file), block_bytes_(file_bytes == 0 ? kBlockBytes : std::min(kBlockBytes, file_bytes + 1)) {}

  // Fills `b` with the next lines: none once the file is over or `stop` is set. False on a read
  // error (error()).
  bool Fill(LineBlock* b, const std::atomic<bool>& stop) {
    b->lines.clear();
    b->numbers.clear();
    while (b->lines.empty() && !eof_ && !stop) {
      // Made once, never zero-filled, and written over from then on: a block's buffer was
      // zero-filled before each read (a seventh of loading a ledger), then once per slot.
      const size_t room = carried_.size() + block_bytes_ + simdjson::SIMDJSON_PADDING;
      if (b->text.size() < room) b->text = HugePageBuffer(room);  // a few faults per block, not a thousand
      std::memcpy(b->text.get(), carried_.data(), carried_.size());
      const size_t got = std::fread(b->text.get() + carried_.size(), 1, block_bytes_, file_);
      if (got < block_bytes_) {
        if (std::ferror(file_)) {
          error_ = Status::IoError("read error: " + std::string(std::strerror(errno)));
          return false;
        }
        eof_ = true;
      }
      const size_t size = carried_.size() + got;
      b->bytes = size;
      std::memset(b->text.get() + size, 0, simdjson::SIMDJSON_PADDING);  // the last line's padding
      // Whole lines only; at the end of the file a last line may lack its newline.
      size_t end = size;
      if (!eof_) {
        const void* nl = memrchr(b->text.get(), '\n', size);
        end = nl == nullptr ? 0 : static_cast<size_t>(static_cast<const char*>(nl) - b->text.get()) + 1;
      }
      carried_.assign(b->text.get() + end, size - end);
      SplitLines(end, b);
    }
    return true;
  }

  const Status& error() const { return error_; }

 private:
  static constexpr size_t kBlockBytes = 4 << 20;

  // The lines of b->text up to `end`, numbered on; blank ones are skipped.
  void SplitLines(size_t end, LineBlock* b) {
    const char* text = b->text.get();
    for (size_t at = 0; at < end;) {
      const char* nl = static_cast<const char*>(std::memchr(text + at, '\n', end - at));
      size_t stop = nl == nullptr ? end : static_cast<size_t>(nl - text);
      if (nl == nullptr) {
        // The file's last line: lines ended by a lone carriage return (old Mac files) arrive
        // here as one, and are split at each CR, as eval splits its applications.
        const void* cr = std::memchr(text + at, '\r', stop - at);
        if (cr != nullptr) stop = static_cast<size_t>(static_cast<const char*>(cr) - text);
      }
      std::string_view line(text + at, stop - at);
      ++line_no_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line_no_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // a UTF-8 byte-order mark
      if (!IsBlankLine(line)) {
        b->lines.push_back(line);
        b->numbers.push_back(line_no_);
      }
      at = stop + 1;
    }
  }

  std::FILE* file_;
  size_t block_bytes_;
  std::string carried_;  // an unfinished line, for the next block
  int64_t line_no_ = 0;
  bool eof_ = false;
  Status error_;
};

}  // namespace

Status Ledger::LoadFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Status::IoError("cannot read ledger file " + path + ": " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(file, &std::fclose);
  // The indexes are built once at the end. On an error everything read from the file is taken
  // back out.
  const size_t rows_before = rows_.size(), arena_before = arena_.size();
  if (Status error = LoadRows(file); !error.ok()) {
    TakeBack(rows_before, arena_before);
    return Status::ParseError("ledger " + path + ", " + error.message());
  }
  if (index_on_expect_)
    unindexed_ = true;
  else
    Rebuild({0, 0});
  return Status::Ok();
}

// The file goes through the pipeline of common/pipeline.h a block at a time: read (in order),
// parsed on every core, taken over in file order, so that the first bad line of the file is the
// one reported.
Status Ledger::LoadRows(std::FILE* file) {
  struct Block : LineBlock {
    std::vector<Loader> loaders;  // one per chunk
  };
  PipelineShape shape;
  shape.slots = 4;
  shape.chunk = 4096;
  shape.workers = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<Block> blocks(shape.slots);
  const size_t file_bytes = RegularFileSize(file);
  LineBlockReader reader(file, file_bytes);  // fill's own
  bool sized = false;                        // fill's own: rows_ reserved for the file
  Status error;                              // settle's own: the first bad line
  std::atomic<bool> stop{false};             // settle found an error: read no further

  PipelineStages stages;
  stages.fill = [&](size_t slot) -> size_t {
    Block& b = blocks[slot];
    if (!reader.Fill(&b, stop)) return 0;
    if (!sized && !b.lines.empty()) {
      // This is the first block: no block has been taken over yet, so nothing else touches rows_
      // and arena_ meanwhile.
      sized = true;
      ReserveForFile(file_bytes, b.bytes, b.lines.size());
    }
    b.loaders.resize(PipelineChunks(b.lines.size(), shape));
    return b.lines.size();
  };
  stages.prepare = [&](size_t slot, size_t begin, size_t end, size_t) {
    Block& b = blocks[slot];
    Loader& loader = b.loaders[begin / shape.chunk];
    loader.error = Status::Ok();
    loader.rules = rules_;
    for (size_t i = begin; i < end && loader.error.ok(); ++i)
      loader.error = ParseLine(b.lines[i], b.numbers[i], &loader);
  };
  stages.settle = [&](size_t slot) {
    for (Loader& loader : blocks[slot].loaders) {
      if (!error.ok()) break;
      error = loader.error.ok() ? TakeOver(&loader) : loader.error;
      loader.strings.clear();
      loader.rows.clear();
    }
    if (!error.ok()) stop = true;
  };
  stages.finish = [](size_t, size_t, size_t, size_t, size_t) {};
  stages.write = [](size_t) {};
  RunPipeline(stages, shape);
  return error.ok() ? reader.error() : error;
}

// Room for the whole file (estimated from its first block) and the round to come, so that the
// rows and their strings are not copied as they grow.
void Ledger::ReserveForFile(size_t file_bytes, size_t block_bytes, size_t block_lines) {
  if (file_bytes == 0) return;  // not a regular file: its size is not known
  const size_t per_line = std::max<size_t>(1, block_bytes / block_lines);
  const size_t lines = file_bytes / per_line + block_lines;
  rows_.reserve(rows_.size() + lines + round_rows_);
  arena_.reserve(arena_.size() + lines * kLoadedRowBytes + round_rows_ * kRoundRowBytes);
}

void Ledger::TakeBack(size_t rows, size_t arena) {
  rows_.resize(rows);  // not yet indexed: the indexes are built at the end
  arena_.resize(arena);
}

}  // namespace qgrant::engine
