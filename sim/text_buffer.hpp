// A growable byte buffer for serialized records. Unlike std::string it can
// hand out uninitialized room at its end, so a writer can reserve a bound,
// write, and keep only what it wrote, without zero-filling the rest.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace hourglass::sim {

class TextBuffer {
 public:
  TextBuffer() = default;
  TextBuffer(TextBuffer&&) noexcept = default;
  TextBuffer& operator=(TextBuffer&&) noexcept = default;
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
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (size_) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = cap;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace hourglass::sim
