// Transparent huge pages for large arrays. On the virtual machines this runs on, each 4 KB page
// fault costs microseconds (the hypervisor takes part in it); a large array first written after
// madvise(MADV_HUGEPAGE) faults once per 2 MB instead. Only advice: where the kernel refuses it,
// the pages are just smaller. Large arrays that grow take HugePageAllocator (HugePageVector,
// HugePageString); buffers of text read from a file, HugePageBuffer.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace qgrant {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// An allocator whose blocks of 2 MB or more are whole huge pages: aligned to 2 MB, rounded up to
// it and advised before first use. Advising a block the general allocator gave left up to half of
// it on small pages: such a block is seldom aligned to 2 MB, and only the huge pages wholly within
// it can be advised (a 4 MB buffer took 513 faults rather than 2). Smaller blocks are ordinary.
template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: rebinding converts implicitly

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);  // n <= max_size(): no overflow
    if (bytes < kHugePageBytes) return static_cast<T*>(::operator new(bytes));
    const size_t whole = (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
    void* p = std::aligned_alloc(kHugePageBytes, whole);
    if (p == nullptr) throw std::bad_alloc();
    ::madvise(p, whole, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n * sizeof(T) < kHugePageBytes) {
      ::operator delete(p);
    } else {
      std::free(p);
    }
  }
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

template <typename T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;
using HugePageString = std::basic_string<char, std::char_traits<char>, HugePageAllocator<char>>;

// A buffer of bytes that are not zero-filled (text read from a file is written over them), on
// huge pages when it is large.
class HugePageBuffer {
 public:
  HugePageBuffer() = default;
  explicit HugePageBuffer(size_t bytes) : data_(HugePageAllocator<char>().allocate(bytes)), bytes_(bytes) {}
  ~HugePageBuffer() {
    if (data_ != nullptr) HugePageAllocator<char>().deallocate(data_, bytes_);
  }
  HugePageBuffer(HugePageBuffer&& other) noexcept { Swap(other); }
  HugePageBuffer& operator=(HugePageBuffer&& other) noexcept {
    HugePageBuffer gone(std::move(other));
    Swap(gone);
    return *this;
  }

  char* get() const { return data_; }
  size_t size() const { return bytes_; }

 private:
  void Swap(HugePageBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(bytes_, other.bytes_);
  }

  char* data_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace qgrant
