// Money: amounts are int64 fen (1 yuan = 100 fen), never floating point. This module holds the
// one bound every amount obeys, the checked arithmetic that keeps sums from wrapping, and the
// one family of formatters every report uses, so that 元 and 万元 read the same everywhere.
//
// The bound: no amount or sum may exceed kMaxFen = 10^15 fen (10 trillion yuan) in magnitude.
// It is far above any budget, leaves int64 ample headroom (a sum of two bounded amounts never
// wraps), and keeps every amount exact as a spreadsheet number (below 2^53).
//
// Arithmetic reports an error instead of wrapping or passing the bound: a wrapped sum once flipped
// an ineligible unit to eligible. Errors read Chinese first, English beside it.
//
// Formatters (fen = 300000000 unless said):
//   YuanPlain     "3000000.00元"        YuanGrouped   "3,000,000.00元"
//   YuanNumber    "3000000.00" / "3,000,000.00" (no unit, for tables and CSV cells)
//   Wan           "300万元" exact, trailing zeros trimmed: 50 万 fen -> "0.5万元", 100 fen ->
//   "0.0001万元" WanNumber     "300" (the same, no unit) WanFixed      a fixed number of decimals,
//   rounded half away from zero, for tables: (fen, 2, true) YuanPeople "300万元（3,000,000.00元）"
//   for letters and explanations YuanBrief     "300万元" when a whole number of 万元, else
//   "1,500.00元" / "1,234.56元" (元 always with two decimals, as pages show amounts):
//                 the short form of allocation's sentences
//   YuanEnglish   "3,000,000.00 yuan"
// Negative amounts (differences) read with a leading '-'. None of them needs the bound.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace qgrant::money {

inline constexpr int64_t kMaxFen = 1'000'000'000'000'000;  // 10^15 fen
inline constexpr int64_t kFenPerWan = 1'000'000;           // 1 万元 = 10,000 yuan

// True when |fen| <= kMaxFen.
[[nodiscard]] constexpr bool WithinBound(int64_t fen) { return fen >= -kMaxFen && fen <= kMaxFen; }

// `fen` itself when within the bound, else an error naming `what` (e.g. "amount_fen").
[[nodiscard]] Result<int64_t> CheckBound(int64_t fen, std::string_view what = "金额 amount");

// a + b, an error when either operand or the result passes the bound.
[[nodiscard]] Result<int64_t> Add(int64_t a, int64_t b);

// fen × factor (a count, a number of certificates), an error when the product passes the bound.
[[nodiscard]] Result<int64_t> Multiply(int64_t fen, int64_t factor);

// The sum of all, an error as soon as a partial sum passes the bound.
[[nodiscard]] Result<int64_t> Sum(std::span<const int64_t> amounts);

// An accumulator for loops that add one amount at a time. Once an addition fails the sum stays
// failed (ok() false, status() says why), so a loop may check once at the end.
class Total {
 public:
  // Adds `fen`; false (and the total failed) when it or the new sum passes the bound.
  bool Add(int64_t fen);
  [[nodiscard]] bool ok() const { return status_.ok(); }
  [[nodiscard]] const Status& status() const { return status_; }
  [[nodiscard]] int64_t fen() const { return fen_; }  // meaningful only while ok()

 private:
  int64_t fen_ = 0;
  Status status_;
};

std::string YuanNumber(int64_t fen, bool grouped);
std::string YuanPlain(int64_t fen);
std::string YuanGrouped(int64_t fen);
std::string WanNumber(int64_t fen);
std::string Wan(int64_t fen);
// `decimals` clamped to 0..6; `grouped` puts thousands separators in the whole part.
std::string WanFixed(int64_t fen, int decimals, bool grouped);
std::string YuanPeople(int64_t fen);
std::string YuanBrief(int64_t fen);
// The same two appended to `out`, for writers of millions of amounts (qgrant allocate).
void AppendYuanBrief(std::string* out, int64_t fen);
void AppendYuanEnglish(std::string* out, int64_t fen);
std::string YuanEnglish(int64_t fen);

// The words of a decision's reasons, written at `out` (room for kWordsRoom bytes) without a
// string of their own: "300万元" when a whole number of 万元, else YuanGrouped's "12,345.60元";
// and YuanEnglish's "12,345.60 yuan". Each returns the bytes written. (A reason that names an
// amount made several strings for it through Wan or YuanGrouped.)
inline constexpr size_t kWordsRoom = 48;
size_t WriteWordsZh(int64_t fen, char* out);
size_t WriteWordsEn(int64_t fen, char* out);

}  // namespace qgrant::money
