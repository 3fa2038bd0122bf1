// A growable byte buffer for serialized records. Unlike std::string it can
// hand out uninitialized room at its end, so a writer can reserve a bound,
// write, and keep only what it wrote, without zero-filling the rest.
//
// Its storage comes from, and goes back to, a process-wide pool of blocks
// (text_buffer.cpp): a catch-up fills a buffer of tens of kilobytes per
// settlement per step on one thread and frees it on the writer's, and
// malloc paid for that with its arenas' locks, consolidation and fresh
// pages at every step.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace hourglass::sim {

// The pool: a block of at least `needed` bytes, from the pool when one fits,
// else a fresh one of `capacity` bytes (at least `needed`); `capacity` is
// set to the block's size. And a block given back (kept while the pool is
// small, else freed).
std::unique_ptr<char[]> take_pooled_block(std::size_t needed, std::size_t& capacity);
void give_pooled_block(std::unique_ptr<char[]> block, std::size_t capacity);

// An allocator for vectors that live like a TextBuffer (filled on one
// thread, freed on another, at every step): their storage comes from the
// pool too.
template <class T>
struct PooledAllocator {
  using value_type = T;
  PooledAllocator() = default;
  template <class U>
  PooledAllocator(const PooledAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    std::size_t capacity = n * sizeof(T);
    return reinterpret_cast<T*>(take_pooled_block(n * sizeof(T), capacity).release());
  }
  void deallocate(T* p, std::size_t n) noexcept {
    // The block may be larger than n elements; the pool is told only what
    // is certain.
    give_pooled_block(std::unique_ptr<char[]>(reinterpret_cast<char*>(p)), n * sizeof(T));
  }
  friend bool operator==(const PooledAllocator&, const PooledAllocator&) { return true; }
  friend bool operator!=(const PooledAllocator&, const PooledAllocator&) { return false; }
};

class TextBuffer {
 public:
  TextBuffer() = default;
  ~TextBuffer() { release(); }
  TextBuffer(TextBuffer&& other) noexcept
      : data_(std::move(other.data_)), size_(other.size_), capacity_(other.capacity_) {
    other.size_ = other.capacity_ = 0;
  }
  TextBuffer& operator=(TextBuffer&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::move(other.data_);
      size_ = other.size_;
      capacity_ = other.capacity_;
      other.size_ = other.capacity_ = 0;
    }
    return *this;
  }
  TextBuffer(const TextBuffer& other) { append(other.view()); }
  TextBuffer& operator=(const TextBuffer& other) {
    if (this != &other) {
      clear();
      append(other.view());
    }
    return *this;
  }

  // Room for at least `n` more bytes; write there, then commit the end.
  char* reserve_tail(std::size_t n) {
    if (size_ + n > capacity_) grow(size_ + n);
    return data_.get() + size_;
  }
  void commit(const char* end) { size_ = static_cast<std::size_t>(end - data_.get()); }

  void append(std::string_view s) {
    char* p = reserve_tail(s.size());
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    size_ += s.size();
  }
  void clear() { size_ = 0; }

  std::string_view view() const { return {data_.get(), size_}; }
  std::string str() const { return std::string(view()); }
  const char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  void grow(std::size_t needed) {
    std::size_t cap = capacity_ < 4096 ? 4096 : capacity_ * 2;
    while (cap < needed) cap *= 2;
    std::unique_ptr<char[]> bigger = take_pooled_block(needed, cap);
    if (size_) std::memcpy(bigger.get(), data_.get(), size_);
    release();
    data_ = std::move(bigger);
    capacity_ = cap;
  }
  void release() {
    if (data_) give_pooled_block(std::move(data_), capacity_);
    capacity_ = 0;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace hourglass::sim
