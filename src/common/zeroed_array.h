// ZeroedArray: a fixed-size array of a trivially copyable type whose all-zero bytes are its
// empty value (a hash table's free slot), taken from the kernel already zeroed: an anonymous
// mapping, on huge pages where its size allows. A std::vector of the same size is allocated and
// then filled with zeros, writing every page a second time; the ledger's and the registry's
// tables are tens of megabytes, made afresh each time they grow.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace qgrant {

template <typename T>
class ZeroedArray {
  static_assert(std::is_trivially_copyable_v<T>, "the array is copied and zeroed as bytes");

 public:
  ZeroedArray() = default;
  // `n` elements, every byte zero. Throws std::bad_alloc when the memory cannot be had.
  explicit ZeroedArray(size_t n) : size_(n) {
    if (n == 0) return;
    bytes_ = n * sizeof(T);
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (bytes_ >= (size_t{2} << 20)) ::madvise(p, bytes_, MADV_HUGEPAGE);
    data_ = static_cast<T*>(p);
  }
  ~ZeroedArray() { Release(); }
  ZeroedArray(const ZeroedArray& other) : ZeroedArray(other.size_) {
    if (size_ != 0) std::memcpy(data_, other.data_, bytes_);
  }
  ZeroedArray(ZeroedArray&& other) noexcept { Swap(other); }
  ZeroedArray& operator=(ZeroedArray other) noexcept {
    Swap(other);
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  void Swap(ZeroedArray& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(bytes_, other.bytes_);
  }
  void Release() {
    if (data_ != nullptr) ::munmap(data_, bytes_);
    data_ = nullptr;
    size_ = bytes_ = 0;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t bytes_ = 0;
};

}  // namespace qgrant
