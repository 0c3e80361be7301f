// Guarded: runs a piece of work and turns an exception into a message, so that nothing thrown
// (std::bad_alloc for an input too large for memory, std::system_error when no thread can be
// started) leaves src/alloc or ends a worker thread by std::terminate. Internal to src/alloc.
#pragma once

#include <exception>
#include <new>
#include <stdexcept>
#include <string>

namespace qgrant::alloc {

// "" when `work` finished, else what stopped it, Chinese first.
template <typename Work>
std::string Guarded(Work&& work) {
  try {
    work();
    return "";
  } catch (const std::bad_alloc&) {
    return "内存不足 / out of memory";
  } catch (const std::runtime_error& e) {  // a worker's message passed on, or a system error
    return e.what();
  } catch (const std::exception& e) {
    return std::string("内部错误 / internal error: ") + e.what();
  }
}

}  // namespace qgrant::alloc
