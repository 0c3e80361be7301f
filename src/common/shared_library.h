// SharedLibrary: a system library loaded by its soname when it is first needed (dlopen), rather
// than by the dynamic loader when qgrant starts. `qgrant eval`, `screen` and `simulate` never
// connect to PostgreSQL or draw a PDF, yet loading libpq and Pango with the fifty libraries they
// need was a third of every command's start (some 17 ms of 60 here). Each caller keeps its
// functions as pointers of the types the library's own header declares (QGRANT_LAZY_LIBRARY), so
// a call is checked by the compiler as a direct call would be.
#pragma once

#include <string>

#include "common/status.h"

namespace qgrant {

class SharedLibrary {
 public:
  // Loads the library (a second load of the same soname is the same library). The error names it
  // and says why, in Chinese and English.
  static Result<SharedLibrary> Open(const char* soname);

  // Sets *function to the symbol `name`, found in the library or in one it needs.
  template <typename F>
  Status Bind(const char* name, F** function) const {
    void* symbol = nullptr;
    QGRANT_RETURN_IF_ERROR(Find(name, &symbol));
    *function = reinterpret_cast<F*>(symbol);
    return Status::Ok();
  }

 private:
  SharedLibrary(void* handle, const char* soname) : handle_(handle), soname_(soname) {}
  Status Find(const char* name, void** symbol) const;

  void* handle_;  // never closed: the functions stay in use until the process ends
  std::string soname_;
};

}  // namespace qgrant

// Declares struct `Name`: a table of pointers to the functions that `LIST(F)` names (F(f) for
// each f, as an X-macro), each of f's own type, and `static const Result<Name>& Load()`, which
// loads `soname` and binds every function once per process; its error names what is missing.
#define QGRANT_LAZY_LIBRARY(Name, soname, LIST)                                                    \
  struct Name {                                                                                    \
    LIST(QGRANT_LAZY_FUNCTION_)                                                                    \
    static const ::qgrant::Result<Name>& Load() {                                                  \
      static const ::qgrant::Result<Name> loaded = []() -> ::qgrant::Result<Name> {                \
        ::qgrant::Result<::qgrant::SharedLibrary> library = ::qgrant::SharedLibrary::Open(soname); \
        if (!library.ok()) return library.status();                                                \
        Name table;                                                                                \
        LIST(QGRANT_LAZY_BIND_)                                                                    \
        return table;                                                                              \
      }();                                                                                         \
      return loaded;                                                                               \
    }                                                                                              \
  };
// QGRANT_LAZY_LIBRARY's parts: a member, and its binding inside Load().
#define QGRANT_LAZY_FUNCTION_(f) decltype(&::f) f = nullptr;
#define QGRANT_LAZY_BIND_(f) QGRANT_RETURN_IF_ERROR(library->Bind(#f, &table.f));
