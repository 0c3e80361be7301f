// Loads the shipped policy once for the engine tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "policy/loader.h"

namespace qgrant::engine {

class ShippedPolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    bundle_ = new policy::PolicyBundle();
    policy::DiagnosticSink sink;
    ASSERT_TRUE(policy::LoadBundle({std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand"}, bundle_, &sink))
        << sink.Format();
  }
  static void TearDownTestSuite() {
    delete bundle_;
    bundle_ = nullptr;
  }

  static policy::RuleSet Rules(const char* as_of = "2026-06-01") {
    policy::Date d;
    EXPECT_TRUE(policy::ParseDate(as_of, &d));
    return policy::ResolveRules(*bundle_, nullptr, d);
  }

  static policy::PolicyBundle* bundle_;
};

inline policy::PolicyBundle* ShippedPolicyTest::bundle_ = nullptr;

}  // namespace qgrant::engine
