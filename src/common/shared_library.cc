#include "common/shared_library.h"

#include <dlfcn.h>

namespace qgrant {

Result<SharedLibrary> SharedLibrary::Open(const char* soname) {
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return Status::IoError(std::string("无法加载系统库 / cannot load the system library ") + soname + ": " +
                           (why != nullptr ? why : "unknown reason"));
  }
  return SharedLibrary(handle, soname);
}

Status SharedLibrary::Find(const char* name, void** symbol) const {
  ::dlerror();  // clears an earlier error, so that the one read below is this lookup's
  *symbol = ::dlsym(handle_, name);
  if (const char* why = ::dlerror(); why != nullptr || *symbol == nullptr) {
    return Status::IoError("系统库 " + soname_ + " 缺少函数 / the system library " + soname_ + " lacks " + name + ": " +
                           (why != nullptr ? why : "null"));
  }
  return Status::Ok();
}

}  // namespace qgrant
