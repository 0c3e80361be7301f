#include "common/printable.h"

#include <gtest/gtest.h>

namespace qgrant {
namespace {

TEST(PrintableTest, ShowsControlCharactersAndKeepsTheRest) {
  EXPECT_EQ(Printable("深圳\n结论：符合"), "深圳\\x0a结论：符合");
  EXPECT_EQ(Printable("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(Printable("a\x7f"), "a\\x7f");
  EXPECT_EQ(Printable("\xc2\x9b"
                      "31m"),
            "\\u009b31m");                               // the 8-bit CSI
  EXPECT_EQ(Printable("\xc2\xa0\xff"), "\xc2\xa0\xff");  // a no-break space and a stray byte stay
}

}  // namespace
}  // namespace qgrant
