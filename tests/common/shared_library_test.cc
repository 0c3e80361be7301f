// SharedLibrary (common/shared_library.h): a system library loaded when first needed, its
// functions bound with the types their header declares; what is missing is named in the error.
#include "common/shared_library.h"

#include <gtest/gtest.h>

#include <cstring>

namespace qgrant {
namespace {

// A table as the store and the letters keep theirs.
#define QGRANT_TEST_C_FUNCTIONS(F) F(strlen) F(strcmp)
QGRANT_LAZY_LIBRARY(CFunctions, "libc.so.6", QGRANT_TEST_C_FUNCTIONS)

TEST(SharedLibraryTest, BindsFunctionsThatWorkAsTheDirectCalls) {
  const Result<CFunctions>& c = CFunctions::Load();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(&CFunctions::Load(), &c);  // loaded once
  EXPECT_EQ(c->strlen("质量品牌"), std::strlen("质量品牌"));
  EXPECT_EQ(c->strcmp("a", "a"), 0);
  EXPECT_LT(c->strcmp("a", "b"), 0);
}

TEST(SharedLibraryTest, AMissingLibraryOrFunctionIsNamed) {
  Result<SharedLibrary> none = SharedLibrary::Open("libqgrant-no-such-library.so.9");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("libqgrant-no-such-library.so.9"), std::string::npos);
  EXPECT_NE(none.status().message().find("无法加载"), std::string::npos);

  Result<SharedLibrary> libc = SharedLibrary::Open("libc.so.6");
  ASSERT_TRUE(libc.ok());
  int (*missing)(int) = nullptr;
  Status st = libc->Bind("qgrant_no_such_function", &missing);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("qgrant_no_such_function"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("libc.so.6"), std::string::npos) << st.message();
  EXPECT_EQ(missing, nullptr);
}

}  // namespace
}  // namespace qgrant
