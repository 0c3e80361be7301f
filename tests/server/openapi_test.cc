// The served OpenAPI document and the router describe the same API: every route is documented
// with the roles the router enforces, and every documented operation is routed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "server/service.h"
#include "test_service.h"

namespace qgrant::server {
namespace {

using nlohmann::json;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class OpenApiTest : public ::testing::Test {
 protected:
  OpenApiTest()
      : doc_(json::parse(OpenApiDocument())),
        router_(BuildApiRouter(testing::TestService(), std::make_shared<testing::FakeAuthenticator>())) {}
  json doc_;
  std::shared_ptr<Router> router_;
};

TEST_F(OpenApiTest, RouterAndDocumentListTheSameOperations) {
  std::set<std::string> routed, documented;
  for (const Route& r : router_->routes()) routed.insert(Lower(r.method) + " " + r.pattern);
  for (const auto& [path, item] : doc_["paths"].items()) {
    for (const auto& [method, op] : item.items()) documented.insert(method + " " + path);
  }
  EXPECT_EQ(routed, documented);
  EXPECT_EQ(routed.size(), 30u);  // §7: 4 public routes, 21 of the table, 5 further routes
}

TEST_F(OpenApiTest, DocumentedRolesAreTheEnforcedOnes) {
  for (const Route& r : router_->routes()) {
    const json& op = doc_["paths"][r.pattern][Lower(r.method)];
    EXPECT_EQ(op["x-roles"].get<std::vector<std::string>>(), r.access.Names()) << r.method << " " << r.pattern;
    for (const auto& [name, access] : r.choices) {
      EXPECT_EQ(op["x-action-roles"][name].get<std::vector<std::string>>(), access.Names()) << name;
    }
    if (!r.choices.empty()) {
      EXPECT_EQ(op["x-action-roles"].size(), r.choices.size());
    }
  }
}

// Every "$ref" points at something that is there.
void CheckRefs(const json& root, const json& node, std::vector<std::string>* broken) {
  if (node.is_object()) {
    if (auto it = node.find("$ref"); it != node.end()) {
      const std::string ref = it->get<std::string>();
      if (ref.rfind("#/", 0) != 0 || !root.contains(json::json_pointer(ref.substr(1)))) broken->push_back(ref);
    }
  }
  if (node.is_structured()) {
    for (const auto& child : node) CheckRefs(root, child, broken);
  }
}

TEST_F(OpenApiTest, IsOpenApi3WithEveryReferenceResolved) {
  EXPECT_EQ(doc_["openapi"].get<std::string>().substr(0, 2), "3.");
  std::vector<std::string> broken;
  CheckRefs(doc_, doc_, &broken);
  EXPECT_TRUE(broken.empty()) << broken.front();
  const auto& problem = doc_["components"]["schemas"]["Problem"];
  EXPECT_EQ(problem["required"], (json{"type", "title", "status", "detail", "errors"}));
  for (const auto& [path, item] : doc_["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      EXPECT_TRUE(op.contains("responses") && op["responses"].contains("503")) << method << " " << path;
      if (method == "post" || method == "put") {
        EXPECT_TRUE(op["responses"].contains("413")) << method << " " << path;
      }
    }
  }
}

}  // namespace
}  // namespace qgrant::server
