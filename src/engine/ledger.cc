#include "engine/ledger.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <thread>

#include "common/parallel.h"

namespace qgrant::engine {

Ledger::Ledger() {
  Intern("");  // id 0: the empty name (no level)
  Rebuild(2048);
}

uint64_t Ledger::Hash2(std::string_view a, std::string_view b) {
  // Eight bytes at a time, multiply and fold (as wyhash does); the parts are separated by their
  // lengths so that ("ab","c") and ("a","bc") differ.
  auto mix = [](uint64_t h, uint64_t v) {
    __uint128_t m = static_cast<__uint128_t>(h ^ v) * 0x9E3779B97F4A7C15ULL;
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  };
  auto absorb = [&](uint64_t h, std::string_view s) {
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t v;
      std::memcpy(&v, s.data() + i, 8);
      h = mix(h, v);
    }
    uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    return mix(h, tail ^ (static_cast<uint64_t>(s.size()) << 56));
  };
  return absorb(absorb(0x243F6A8885A308D3ULL, a), b);
}

uint16_t Ledger::Intern(std::string_view name) {
  // A recent name at the same address is checked by comparing the characters: cheaper than
  // hashing, and safe when a freed string's address is reused for another name.
  RecentName& slot = recent_[(reinterpret_cast<uintptr_t>(name.data()) >> 4) % 16];
  if (slot.data == name.data() && slot.size == name.size() && names_[slot.id] == name) return slot.id;
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) {
    slot = {name.data(), name.size(), it->second};
    return it->second;
  }
  uint16_t id = static_cast<uint16_t>(names_.size());
  names_.emplace_back(name);
  name_ids_.emplace(std::string(name), id);
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
  return e;
}

namespace {
uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }
}  // namespace

void Ledger::Insert(Index* index, uint64_t hash, uint32_t row) {
  const size_t mask = index->slots.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (index->slots[i].row == 0) {
      index->slots[i] = {Tag(hash), row + 1};
      return;
    }
  }
}

void Ledger::IndexRow(uint32_t row) {
  const RowHashes& h = hashes_[row];
  Insert(&by_subject_, h.subject, row);
  Insert(&by_measure_, h.measure, row);
  if (rows_[row].is_item) Insert(&by_item_, h.item, row);
}

void Ledger::Rebuild(size_t slots) {
  for (Index* idx : {&by_subject_, &by_measure_, &by_item_}) idx->slots.assign(slots, Slot{});
  for (uint32_t i = 0; i < rows_.size(); ++i) IndexRow(i);
}

void Ledger::Add(const LedgerEntryView& e, bool is_item, bool subject_only) {
  Row r;
  r.uscc_at = static_cast<uint32_t>(arena_.size());
  r.uscc_len = static_cast<uint16_t>(e.uscc.size());
  arena_ += e.uscc;
  r.subject_at = static_cast<uint32_t>(arena_.size());
  r.subject_len = static_cast<uint32_t>(e.subject.size());
  arena_ += e.subject;
  r.policy = Intern(e.policy);
  r.measure = Intern(e.measure);
  r.level = Intern(e.level);
  r.granted_days = static_cast<int32_t>(e.granted_on.days);
  r.amount_fen = e.amount_fen;
  r.is_item = is_item;
  r.subject_only = subject_only;
  rows_.push_back(r);
  hashes_.push_back({Hash2(e.uscc, e.subject), Hash2(e.uscc, e.measure), Hash2(e.measure, e.subject)});
  if (rows_.size() * 2 > by_subject_.slots.size()) {
    Rebuild(by_subject_.slots.size() * 2);  // keep every index at most half full
  } else {
    IndexRow(static_cast<uint32_t>(rows_.size() - 1));
  }
}

template <typename Match>
std::optional<LedgerEntry> Ledger::Lookup(const Index& index, uint64_t hash, Match match) const {
  const size_t mask = index.slots.size() - 1;
  const uint32_t tag = Tag(hash);
  for (size_t i = hash & mask; index.slots[i].row != 0; i = (i + 1) & mask) {
    if (index.slots[i].tag == tag && match(rows_[index.slots[i].row - 1])) return entry(index.slots[i].row - 1);
  }
  return std::nullopt;
}

std::optional<LedgerEntry> Ledger::FindSubject(std::string_view uscc, std::string_view subject) const {
  return Lookup(by_subject_, Hash2(uscc, subject),
                [&](const Row& r) { return Uscc(r) == uscc && Subject(r) == subject; });
}

std::optional<LedgerEntry> Ledger::FindLevel(std::string_view uscc, std::string_view measure,
                                             std::string_view level) const {
  return Lookup(by_measure_, Hash2(uscc, measure), [&](const Row& r) {
    return !r.subject_only && Uscc(r) == uscc && Name(r.measure) == measure && (level.empty() || Name(r.level) == level);
  });
}

std::optional<LedgerEntry> Ledger::FindItem(std::string_view measure, std::string_view key) const {
  return Lookup(by_item_, Hash2(measure, key),
                [&](const Row& r) { return Name(r.measure) == measure && Subject(r) == key; });
}

std::vector<LedgerEntry> Ledger::EntriesFor(std::string_view uscc, std::string_view measure) const {
  std::vector<LedgerEntry> out;
  const uint64_t hash = Hash2(uscc, measure);
  const size_t mask = by_measure_.slots.size() - 1;
  for (size_t i = hash & mask; by_measure_.slots[i].row != 0; i = (i + 1) & mask) {
    if (by_measure_.slots[i].tag != Tag(hash)) continue;
    uint32_t row = by_measure_.slots[i].row - 1;
    const Row& r = rows_[row];
    if (!r.subject_only && Uscc(r) == uscc && Name(r.measure) == measure) out.push_back(entry(row));
  }
  return out;
}

Status Ledger::ParseLine(std::string_view line, int64_t line_no, LedgerEntry* out) {
  static thread_local simdjson::dom::parser parser;
  static thread_local std::string padded;
  padded.assign(line.data(), line.size());
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  auto where = [&] { return "line " + std::to_string(line_no) + ": "; };
  simdjson::dom::element doc;
  if (parser.parse(padded.data(), line.size(), false).get(doc) != simdjson::SUCCESS) {
    return Status::ParseError(where() + "not valid JSON");
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return Status::ParseError(where() + "not a JSON object");
  LedgerEntry& e = *out;
  e = LedgerEntry();
  auto str = [&](const char* key, std::string* out, bool required) -> Status {
    simdjson::dom::element v;
    if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) {
      return required ? Status::ParseError(where() + "missing '" + key + "'") : Status::Ok();
    }
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return Status::ParseError(where() + "'" + key + "' must be a string");
    if (required && s.empty()) return Status::ParseError(where() + "'" + key + "' must not be empty");
    *out = std::string(s);
    return Status::Ok();
  };
  QGRANT_RETURN_IF_ERROR(str("uscc", &e.uscc, true));
  QGRANT_RETURN_IF_ERROR(str("policy", &e.policy, true));
  QGRANT_RETURN_IF_ERROR(str("measure", &e.measure, true));
  QGRANT_RETURN_IF_ERROR(str("level", &e.level, false));
  QGRANT_RETURN_IF_ERROR(str("subject", &e.subject, true));
  std::string granted;
  QGRANT_RETURN_IF_ERROR(str("granted_on", &granted, false));
  if (!granted.empty() && !policy::ParseDate(granted, &e.granted_on)) {
    return Status::ParseError(where() + "'granted_on' is not a date YYYY-MM-DD");
  }
  simdjson::dom::element amount;
  if (obj["amount_fen"].get(amount) == simdjson::SUCCESS && !amount.is_null()) {
    if (amount.get_int64().get(e.amount_fen) != simdjson::SUCCESS || e.amount_fen < 0) {
      return Status::ParseError(where() + "'amount_fen' must be a whole number of fen, not negative");
    }
  }
  if (e.uscc.size() > 64 || e.subject.size() > UINT32_MAX / 2) return Status::ParseError(where() + "field too long");
  return Status::Ok();
}

Status Ledger::AddLoaded(const LedgerEntry& e, int64_t line_no) {
  // Names are kept as 16-bit ids; a real ledger has a few dozen policies, measures and levels.
  if (names_.size() > 60000) {
    return Status::ParseError("line " + std::to_string(line_no) +
                              ": more than 60,000 distinct policy, measure and level names");
  }
  // Every ledger entry funds its subject; for a per-item measure the subject is the item
  // (certificate number) itself, so it is also indexed as an item.
  Add(View(e), /*is_item=*/true);
  return Status::Ok();
}

Status Ledger::LoadLine(std::string_view line, int64_t line_no) {
  LedgerEntry e;
  QGRANT_RETURN_IF_ERROR(ParseLine(line, line_no, &e));
  return AddLoaded(e, line_no);
}

Status Ledger::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read ledger file " + path);
  // Lines are parsed on every core, a block at a time, and added in file order: the first bad
  // line in the file is the one reported, and memory stays bounded by the block.
  constexpr size_t kBlockLines = 65536;
  const size_t workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> lines;
  std::vector<int64_t> numbers;
  std::vector<LedgerEntry> entries(kBlockLines);
  std::vector<Status> statuses(kBlockLines);
  std::string line;
  int64_t n = 0;
  bool more = true;
  while (more) {
    lines.clear();
    numbers.clear();
    while (lines.size() < kBlockLines && (more = static_cast<bool>(std::getline(in, line)))) {
      ++n;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      lines.push_back(std::move(line));
      numbers.push_back(n);
    }
    ParallelSlices(lines.size(), workers, [&](size_t begin, size_t end, size_t) {
      for (size_t i = begin; i < end; ++i) statuses[i] = ParseLine(lines[i], numbers[i], &entries[i]);
    });
    for (size_t i = 0; i < lines.size(); ++i) {
      Status st = statuses[i].ok() ? AddLoaded(entries[i], numbers[i]) : statuses[i];
      if (!st.ok()) return Status::ParseError("ledger " + path + ", " + st.message());
    }
  }
  return Status::Ok();
}

}  // namespace qgrant::engine
