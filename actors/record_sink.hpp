// Where records go: the record sink actor receives chunks of JSON lines in
// the order campaigns emit them and hands them to a RecordOutput. It runs
// detached, because writing a file blocks.
#pragma once

#include <caf/all.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hourglass::actors {

class RecordOutput {
 public:
  virtual ~RecordOutput() = default;
  virtual void write(std::string_view jsonl) = 0;
  // Many pieces in order; files override it to write them without joining.
  virtual void write_all(const std::vector<std::string_view>& pieces) {
    for (std::string_view p : pieces) write(p);
  }
  virtual void flush() {}
};

// Writes to a stdio stream it does not own.
class FileOutput final : public RecordOutput {
 public:
  explicit FileOutput(std::FILE* f);
  void write(std::string_view s) override { std::fwrite(s.data(), 1, s.size(), f_); }
  // A regular file in 1 MiB writes; anything else (/dev/null, a pipe) by writev.
  void write_all(const std::vector<std::string_view>& pieces) override;
  void flush() override { std::fflush(f_); }

 private:
  std::FILE* f_;
  bool regular_ = false;
  std::string buffer_;  // the pieces of one write_all, joined a megabyte at a time
};

// Keeps everything in memory (checks and tests).
class StringOutput final : public RecordOutput {
 public:
  void write(std::string_view s) override { text_.append(s); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// (records_atom, sim::OrderedRecords) writes a campaign step (or an entity
// message's records) and answers true (the campaign's backpressure; a file
// has no use for its changes: replay's campaigns are started without
// CampaignInit::capture.changes);
// (flush_atom) flushes and answers true once everything sent before it is
// written.
caf::behavior record_sink(caf::event_based_actor* self, std::shared_ptr<RecordOutput> out);

}  // namespace hourglass::actors
