// SharedLibrary: a system library loaded by its soname when it is first needed (dlopen), rather
// than by the dynamic loader when qgrant starts. `qgrant eval`, `screen` and `simulate` never
// connect to PostgreSQL or draw a PDF, yet loading libpq and Pango with the fifty libraries they
// need was a third of every command's start (some 17 ms of 60 here). Each caller keeps its
// functions as pointers of the types the library's own header declares (QGRANT_LAZY_FUNCTION),
// so a call is checked by the compiler as a direct call would be.
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

// Declares the pointer for library function `f`, with f's own type, in a table of functions.
#define QGRANT_LAZY_FUNCTION(f) decltype(&::f) f = nullptr;
// Binds the member `f` of table `t` from library `lib`, returning the error from the enclosing
// function when the library lacks it.
#define QGRANT_LAZY_BIND(lib, t, f) QGRANT_RETURN_IF_ERROR((lib).Bind(#f, &(t).f))
