// JsonTape: one JSON value as a flat list of nodes, each container followed by its members (a
// key's node, then its value's) or items, as simdjson's own tape is laid out. The application
// reader validates a tape. A tape comes from Scan, a scanner for the common shape of an
// application line, or, for anything that scanner does not take, from simdjson's DOM (FromDom):
// the same line gives the same nodes either way, so the reader's answers do not depend on which
// made them, and the DOM parser still has the last word on what is not JSON and why.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace qgrant::engine::json {

// As simdjson::dom::element_type.
enum class Type : uint8_t { kNull, kBool, kInt64, kUint64, kDouble, kString, kArray, kObject };

struct Node {
  Type type = Type::kNull;
  bool boolean = false;
  uint32_t size = 0;  // a string's bytes, an array's items, an object's members
  uint32_t skip = 1;  // from this node to the one after the value (its members or items included)
  union {
    const char* chars = nullptr;  // a string's bytes (not terminated)
    int64_t int64;
    uint64_t uint64;
    double number;
  };

  bool operator==(const Node& o) const;
};

class Object;
class Array;

// A value on a tape, valid while the tape and the text it was made from are.
class Element {
 public:
  Element() = default;
  explicit Element(const Node* n) : n_(n) {}

  bool IsNull() const { return n_->type == Type::kNull; }
  // A JSON integer, whatever its size (simdjson's INT64 or UINT64).
  bool IsInteger() const { return n_->type == Type::kInt64 || n_->type == Type::kUint64; }
  // Each of these is false, leaving `out` alone, when the value is of another type; GetInt64 also
  // for an integer above INT64_MAX.
  bool GetString(std::string_view* out) const {
    if (n_->type != Type::kString) return false;
    *out = {n_->chars, n_->size};
    return true;
  }
  bool GetBool(bool* out) const {
    if (n_->type != Type::kBool) return false;
    *out = n_->boolean;
    return true;
  }
  bool GetInt64(int64_t* out) const {
    if (n_->type != Type::kInt64) return false;
    *out = n_->int64;
    return true;
  }
  inline bool GetObject(Object* out) const;
  inline bool GetArray(Array* out) const;

 private:
  const Node* n_ = nullptr;
};

struct Member {
  std::string_view key;
  Element value;
};

// An object's members in their order, repeated names included.
class Object {
 public:
  class Iterator {
   public:
    explicit Iterator(const Node* key) : key_(key) {}
    Member operator*() const { return {{key_->chars, key_->size}, Element(key_ + 1)}; }
    Iterator& operator++() {
      key_ += 1 + key_[1].skip;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return key_ != o.key_; }

   private:
    const Node* key_;
  };

  Object() = default;
  explicit Object(const Node* n) : n_(n) {}
  Iterator begin() const { return Iterator(n_ + 1); }
  Iterator end() const { return Iterator(n_ + n_->skip); }

 private:
  const Node* n_ = nullptr;
};

class Array {
 public:
  class Iterator {
   public:
    explicit Iterator(const Node* item) : item_(item) {}
    Element operator*() const { return Element(item_); }
    Iterator& operator++() {
      item_ += item_->skip;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return item_ != o.item_; }

   private:
    const Node* item_;
  };

  Array() = default;
  explicit Array(const Node* n) : n_(n) {}
  size_t size() const { return n_->size; }
  Iterator begin() const { return Iterator(n_ + 1); }
  Iterator end() const { return Iterator(n_ + n_->skip); }

 private:
  const Node* n_ = nullptr;
};

bool Element::GetObject(Object* out) const {
  if (n_->type != Type::kObject) return false;
  *out = Object(n_);
  return true;
}

bool Element::GetArray(Array* out) const {
  if (n_->type != Type::kArray) return false;
  *out = Array(n_);
  return true;
}

class LineIndex;  // json_tape.cc

// Decodes a JSON string's text, from `s` (just past its opening quote) to its closing quote, as
// simdjson decodes it, into `out`, which has room for `end - s` bytes: \" \\ \/ \b \f \n \r \t,
// and \u of four hex digits outside the surrogates (as Python's json writes every character above
// 127). Returns the closing quote, the decoded length in `*size`; null for what it leaves to
// simdjson's DOM: a \u of a surrogate (half of a pair, which the DOM takes, or alone, which it
// refuses), any other escape, a control character, no closing quote before `end`. Bytes above
// 127 are copied as they are: the caller checks their UTF-8.
const char* DecodeString(const char* s, const char* end, char* out, size_t* size);

// `text` with each number that JSON's grammar allows but 64 bits cannot hold replaced by one that
// reads the same way to a validator: an integer beyond int64 and uint64 by 18446744073709551615
// (or, below zero, -9223372036854775808), any other number beyond a double's range by 1e308 (or
// -1e308). simdjson refuses such a line whole, and the application would lose its id and the
// field at fault (CONTRACT §4: a malformed application is invalid "with the field path"). Strings
// are left as they are; false when nothing was replaced (`out` then undefined).
bool NumbersInRange(std::string_view text, std::string* out);

class Tape {
 public:
  Tape();
  ~Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // Scanner for the common shape of an application line: an object of objects, arrays, strings
  // without control characters (their escapes decoded, as far as Python's json module writes
  // them: a \u of a surrogate is the DOM's), integers from 0 to 10^18 - 1 without sign, fraction or
  // exponent, true, false and null, nested at most kMaxDepth deep, with white space as JSON
  // allows except that a colon or comma written right after its key or value is followed by at
  // most one space (as JSON.stringify and Python's json write them), in a text of at most
  // kMaxScanned bytes (a node per byte is room for any text, and a longer line must not make the
  // tape that large). It takes `text` or nothing: false (the tape then undefined) for anything
  // else, valid JSON or not, which is the DOM's to read. `text` must be followed by kPadding
  // readable bytes, whatever they hold.
  static constexpr size_t kPadding = 64;
  static constexpr int kMaxDepth = 16;
  static constexpr size_t kMaxScanned = 64 * 1024;
  bool Scan(std::string_view text);
  // The nodes of a value simdjson has parsed; its strings stay in the parser.
  void FromDom(const simdjson::dom::element& e);

  Element root() const { return Element(nodes_.data()); }
  std::span<const Node> nodes() const { return {nodes_.data(), used_}; }

 private:
  size_t Push();  // a new node's index
  void Add(const simdjson::dom::element& e);
  std::vector<Node> nodes_;
  size_t used_ = 0;
  std::unique_ptr<LineIndex> index_;  // the scanner's, kept for its buffers
};

}  // namespace qgrant::engine::json
