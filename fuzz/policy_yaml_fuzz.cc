// libFuzzer target for the policy loader: arbitrary bytes as a policy YAML file (the loader
// classifies it by its `kind:`, so policies, amendments and guides are all reached), loaded
// with diagnostics. Whatever the bytes (alias bombs, duplicate keys, tabs, invalid UTF-8, CEL in
// any field), loading must end with diagnostics or a bundle, never a crash or a hang; a bundle
// that loads must resolve into rules. The loader reads files, so each input is written to one.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "policy/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/qgrant_policy_fuzz_" + std::to_string(getpid()) + ".yaml";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) __builtin_trap();  // the target cannot work without its scratch file
  std::fwrite(data, 1, size, f);
  std::fclose(f);

  qgrant::policy::PolicyBundle bundle;
  qgrant::policy::DiagnosticSink sink;
  const bool loaded = qgrant::policy::LoadBundle({path}, &bundle, &sink);
  if (loaded == sink.has_errors()) __builtin_trap();            // success exactly when nothing is wrong
  if (!loaded && sink.diagnostics().empty()) __builtin_trap();  // a failure always says why
  (void)sink.Format();
  if (loaded && bundle.policy) {
    qgrant::policy::Date as_of;
    qgrant::policy::ParseDate("2026-06-01", &as_of);
    (void)qgrant::policy::ResolveRules(bundle, nullptr, as_of);
  }
  return 0;
}
