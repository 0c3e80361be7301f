#include "common/money.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace qgrant::money {

using namespace std::string_view_literals;  // appending a literal needs no strlen
namespace {

// |fen| without overflow, INT64_MIN included.
uint64_t Magnitude(int64_t fen) { return fen < 0 ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen); }

uint64_t Pow10(int n) {
  uint64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// Appends v in decimal, with thousands separators when `grouped`. Appends rather than returns:
// qgrant allocate writes millions of amounts, and a temporary string each would dominate.
void AppendDigits(std::string* out, uint64_t v, bool grouped) {
  char digits[24];
  const size_t n = static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, v).ptr - digits);
  if (!grouped) {
    out->append(digits, n);
    return;
  }
  char text[32];  // 20 digits and 6 commas at most; appended at once (a push a digit was slower)
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    text[k++] = digits[i];
    if ((n - i - 1) % 3 == 0 && i + 1 != n) text[k++] = ',';
  }
  out->append(text, k);
}

std::string Digits(uint64_t v, bool grouped) {
  std::string out;
  AppendDigits(&out, v, grouped);
  return out;
}

// "-" for a negative amount, then |fen| / 100 and the cents.
void AppendYuanDigits(std::string* out, int64_t fen, bool grouped, bool always_cents) {
  const uint64_t f = Magnitude(fen);
  if (fen < 0) out->push_back('-');
  AppendDigits(out, f / 100, grouped);
  if (!always_cents && f % 100 == 0) return;
  const char cents[3] = {'.', static_cast<char>('0' + f % 100 / 10), static_cast<char>('0' + f % 10)};
  out->append(cents, sizeof cents);
}

Status OverBound(std::string_view what, std::string_view value) {
  return Status::InvalidArgument(std::string(what) + " " + std::string(value) +
                                 " 分超出上限 10^15 分（1,000,000,000,000,000 分） / exceeds the bound of 10^15 fen");
}

}  // namespace

Result<int64_t> CheckBound(int64_t fen, std::string_view what) {
  if (!WithinBound(fen)) return OverBound(what, std::to_string(fen));
  return fen;
}

Result<int64_t> Add(int64_t a, int64_t b) {
  if (!WithinBound(a)) return OverBound("金额 amount", std::to_string(a));
  if (!WithinBound(b)) return OverBound("金额 amount", std::to_string(b));
  // Both operands are within 10^15, so the int64 sum cannot wrap; only the bound can be passed.
  const int64_t sum = a + b;
  if (!WithinBound(sum)) return OverBound("合计 sum", std::to_string(sum));
  return sum;
}

Result<int64_t> Multiply(int64_t fen, int64_t factor) {
  if (!WithinBound(fen)) return OverBound("金额 amount", std::to_string(fen));
  int64_t product = 0;
  if (__builtin_mul_overflow(fen, factor, &product) || !WithinBound(product)) {
    return OverBound("乘积 product", std::to_string(fen) + " × " + std::to_string(factor));
  }
  return product;
}

Result<int64_t> Sum(std::span<const int64_t> amounts) {
  Total total;
  for (int64_t fen : amounts) {
    if (!total.Add(fen)) return total.status();
  }
  return total.fen();
}

bool Total::Add(int64_t fen) {
  if (!status_.ok()) return false;
  Result<int64_t> sum = money::Add(fen_, fen);
  if (!sum.ok()) {
    status_ = sum.status();
    return false;
  }
  fen_ = *sum;
  return true;
}

std::string YuanNumber(int64_t fen, bool grouped) {
  std::string out;
  AppendYuanDigits(&out, fen, grouped, true);
  return out;
}

std::string YuanPlain(int64_t fen) { return YuanNumber(fen, false) + "元"; }
std::string YuanGrouped(int64_t fen) { return YuanNumber(fen, true) + "元"; }

std::string WanNumber(int64_t fen) {
  const uint64_t f = Magnitude(fen);
  std::string out = fen < 0 ? "-" : "";
  out += std::to_string(f / kFenPerWan);
  std::string frac = std::to_string(f % kFenPerWan);
  frac.insert(0, 6 - frac.size(), '0');  // 1 fen is 0.000001 万元: six places are exact
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) out += "." + frac;
  return out;
}

std::string Wan(int64_t fen) { return WanNumber(fen) + "万元"; }

std::string WanFixed(int64_t fen, int decimals, bool grouped) {
  decimals = std::clamp(decimals, 0, 6);
  const uint64_t magnitude = Magnitude(fen);
  const uint64_t step = Pow10(6 - decimals);  // fen per last digit shown
  uint64_t q = magnitude / step;
  if ((magnitude % step) * 2 >= step) ++q;  // half away from zero: the magnitude rounds up
  const uint64_t scale = Pow10(decimals);
  std::string out = fen < 0 && q != 0 ? "-" : "";
  out += Digits(q / scale, grouped);
  if (decimals > 0) {
    std::string digits = std::to_string(q % scale);
    out += "." + std::string(decimals - digits.size(), '0') + digits;
  }
  return out;
}

std::string YuanPeople(int64_t fen) { return Wan(fen) + "（" + YuanGrouped(fen) + "）"; }

void AppendYuanBrief(std::string* out, int64_t fen) {
  const uint64_t f = Magnitude(fen);
  if (f != 0 && f % kFenPerWan == 0) {
    if (fen < 0) out->push_back('-');
    AppendDigits(out, f / kFenPerWan, false);
    out->append("万元"sv);
    return;
  }
  AppendYuanDigits(out, fen, true, true);
  out->append("元"sv);
}

std::string YuanBrief(int64_t fen) {
  std::string out;
  AppendYuanBrief(&out, fen);
  return out;
}

void AppendYuanEnglish(std::string* out, int64_t fen) {
  AppendYuanDigits(out, fen, true, true);
  out->append(" yuan"sv);
}

std::string YuanEnglish(int64_t fen) {
  std::string out;
  AppendYuanEnglish(&out, fen);
  return out;
}

namespace {

// `v` in decimal written backwards to end just before `end`, with a comma between each three digits
// when `grouped`: returns where it starts.
char* DigitsBefore(char* end, uint64_t v, bool grouped) {
  int n = 0;
  do {
    if (grouped && n != 0 && n % 3 == 0) *--end = ',';
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
    ++n;
  } while (v != 0);
  return end;
}

// A sign if negative, then `v` (DigitsBefore), then `unit`, at `out`: the bytes written.
size_t WriteNumber(int64_t fen, uint64_t v, bool grouped, bool cents, std::string_view unit, char* out) {
  char digits[32];
  char* const end = digits + sizeof digits;
  const char* start = DigitsBefore(end, v, grouped);
  char* o = out;
  if (fen < 0) *o++ = '-';
  std::memcpy(o, start, static_cast<size_t>(end - start));
  o += end - start;
  if (cents) {
    const uint64_t f = Magnitude(fen);
    *o++ = '.';
    *o++ = static_cast<char>('0' + f % 100 / 10);
    *o++ = static_cast<char>('0' + f % 10);
  }
  std::memcpy(o, unit.data(), unit.size());
  return static_cast<size_t>(o + unit.size() - out);
}

}  // namespace

size_t WriteWordsZh(int64_t fen, char* out) {
  const uint64_t f = Magnitude(fen);
  if (f != 0 && f % kFenPerWan == 0) return WriteNumber(fen, f / kFenPerWan, false, false, "万元"sv, out);
  return WriteNumber(fen, f / 100, true, true, "元"sv, out);
}

size_t WriteWordsEn(int64_t fen, char* out) {
  return WriteNumber(fen, Magnitude(fen) / 100, true, true, " yuan"sv, out);
}

}  // namespace qgrant::money
