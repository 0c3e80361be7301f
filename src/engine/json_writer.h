// JsonWriter: a growing buffer for JSON text, for writing a million decisions a second. It grows
// without zero-filling, and writes strings escaped sixteen bytes at a time, where appending to a
// std::string piece by piece would check and copy at every step.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace qgrant::engine {

// Writes `s` as a JSON string literal (quoted; '"', '\\' and control bytes escaped) at `out`,
// which must have room for 6 * s.size() + 2 bytes. Returns the bytes written.
size_t WriteJsonString(std::string_view s, char* out);

// Whether some byte of the eight in `w` must be escaped in JSON: a control byte, '"' or '\\'.
// (A byte minus 0x20, or minus 1 after an exclusive or, sets its top bit only below 0x20 or at
// zero, unless a byte below borrowed from it: which happens only when that byte is itself one.)
inline bool JsonSpecialWord(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kTops = 0x8080808080808080ULL;
  auto below = [](uint64_t v, uint64_t limit) { return ((v - kOnes * limit) & ~v & kTops) != 0; };
  return below(w, 0x20) || below(w ^ (kOnes * '"'), 1) || below(w ^ (kOnes * '\\'), 1);
}

class JsonWriter {
 public:
  void Clear() { size_ = 0; }
  const char* data() const { return buffer_.get(); }
  size_t size() const { return size_; }
  std::string_view view() const { return {buffer_.get(), size_}; }

  void Raw(std::string_view s) {
    if (s.empty()) return;
    Reserve(s.size());
    std::memcpy(buffer_.get() + size_, s.data(), s.size());
    size_ += s.size();
  }
  void Char(char c) {
    Reserve(1);
    buffer_[size_++] = c;
  }
  void Int(int64_t v) {
    Reserve(24);
    char* at = buffer_.get() + size_;
    size_ = static_cast<size_t>(std::to_chars(at, at + 24, v).ptr - buffer_.get());
  }
  // A JSON string literal.
  void String(std::string_view s) {
    Reserve(6 * s.size() + 2);
    size_ += WriteJsonString(s, buffer_.get() + size_);
  }
  // Drops the last byte (to reopen an object just closed).
  void PopBack() {
    if (size_ != 0) --size_;
  }

 private:
  void Reserve(size_t more) {
    if (size_ + more > capacity_) Grow(size_ + more);
  }
  void Grow(size_t need);

  std::unique_ptr<char[]> buffer_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace qgrant::engine
