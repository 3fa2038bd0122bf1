// Where records go: the record sink actor receives chunks of JSON lines in
// the order campaigns emit them and hands them to a RecordOutput. It runs
// detached, because writing a file blocks.
#pragma once

#include <caf/all.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace hourglass::actors {

class RecordOutput {
 public:
  virtual ~RecordOutput() = default;
  virtual void write(std::string_view jsonl) = 0;
  virtual void flush() {}
};

// Writes to a stdio stream it does not own.
class FileOutput final : public RecordOutput {
 public:
  explicit FileOutput(std::FILE* f) : f_(f) {}
  void write(std::string_view s) override { std::fwrite(s.data(), 1, s.size(), f_); }
  void flush() override { std::fflush(f_); }

 private:
  std::FILE* f_;
};

// Keeps everything in memory (checks and tests).
class StringOutput final : public RecordOutput {
 public:
  void write(std::string_view s) override { text_.append(s); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// (records_atom, std::string) writes; (flush_atom) flushes and answers
// true once every chunk sent before it is written.
caf::behavior record_sink(caf::event_based_actor* self, std::shared_ptr<RecordOutput> out);

}  // namespace hourglass::actors
