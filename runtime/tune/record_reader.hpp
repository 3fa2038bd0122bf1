// Reads the records a replay writes (SPEC §4 JSON lines) as they arrive, and
// hands each one, parsed, to the consumers of a tune: nothing keeps the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/record_sink.hpp"
#include "sim/record.hpp"

namespace hourglass::runtime::tune {

struct RecordLine {
  sim::WorldTime time = 0;
  std::string_view world_time;  // as written
  sim::RecordKind kind = sim::RecordKind::ResourceGeneration;
  // Views into the line, or into the decoded_ strings below when escaped.
  std::string_view campaign_id;
  std::string_view entity_id;
  std::string_view settlement_id;      // structure records that name it
  std::string_view changes;            // the JSON object, as written
  std::string_view settlement_changes; // MAINTENANCE_PAID; empty otherwise
  std::string decoded_campaign, decoded_entity, decoded_settlement;
  // The last instant parsed (records come in runs of one instant).
  std::string time_cache_text;
  sim::WorldTime time_cache_value = 0;
};

// Parses one line into `out` (whose strings are reused). False when the line
// is not a record.
bool read_record_line(std::string_view line, RecordLine& out);

class RecordConsumer {
 public:
  virtual ~RecordConsumer() = default;
  virtual void on_record(const RecordLine& record) = 0;
};

// A RecordOutput that parses whole lines (chunks may split them) and passes
// each record to every consumer, in order. Lines that are not records are
// counted, not passed on.
class RecordReader final : public actors::RecordOutput {
 public:
  explicit RecordReader(std::vector<RecordConsumer*> consumers) : consumers_(std::move(consumers)) {}
  void write(std::string_view jsonl) override;
  void flush() override;
  std::uint64_t records() const { return records_; }
  std::uint64_t bad_lines() const { return bad_lines_; }

 private:
  void line(std::string_view text);

  std::vector<RecordConsumer*> consumers_;
  std::string partial_;
  RecordLine current_;
  std::uint64_t records_ = 0;
  std::uint64_t bad_lines_ = 0;
};

}  // namespace hourglass::runtime::tune
