#include "common/same_bytes.h"

#include <gtest/gtest.h>

#include <string>

namespace qgrant {
namespace {

// Every length up to 40, every place a byte can differ, and strings of different sizes that
// share a prefix: the answer must be std::string_view's ==.
TEST(SameBytesTest, IsEqualityForEveryLengthAndEveryDifferingByte) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'x');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    const std::string b = a;
    EXPECT_TRUE(SameBytes(a, b)) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string c = a;
      c[i] = static_cast<char>(c[i] ^ 0x80);
      EXPECT_FALSE(SameBytes(a, c)) << n << " differing at " << i;
      EXPECT_FALSE(SameBytes(c, a)) << n << " differing at " << i;
    }
    EXPECT_FALSE(SameBytes(a, a + "x")) << n;
    EXPECT_FALSE(SameBytes(a + "x", a)) << n;
  }
  EXPECT_TRUE(SameBytes("", ""));
  EXPECT_FALSE(SameBytes("issued_on", "issued_om"));
  EXPECT_TRUE(SameBytes("issued_on", std::string("issued_on")));
}

}  // namespace
}  // namespace qgrant
