// timeline.csv: every record of every rule set, one row per record key
// (worldTime, campaignId, entityType, entityId, kind) in that order, with one
// column per rule set holding that record's `changes` as written (empty when
// the rule set had no such record).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/tune/record_reader.hpp"

namespace hourglass::runtime::tune {

// Keeps every record of one replay compactly: a year-long sweep has millions.
class RecordTable final : public RecordConsumer {
 public:
  struct Row {
    sim::WorldTime time = 0;
    std::uint32_t campaign = 0;  // index into names()
    std::uint32_t entity = 0;    // index into names()
    sim::RecordKind kind = sim::RecordKind::ResourceGeneration;
    std::uint32_t changes_length = 0;
    std::uint64_t changes_offset = 0;  // into text()
  };

  void on_record(const RecordLine& record) override;

  const std::vector<Row>& rows() const { return rows_; }
  std::string_view name(std::uint32_t index) const { return names_[index]; }
  const std::vector<std::string>& names() const { return names_; }
  std::size_t text_size() const { return text_.size(); }
  std::string_view changes(const Row& row) const { return std::string_view(text_).substr(row.changes_offset, row.changes_length); }

 private:
  std::uint32_t intern(std::string_view name);

  std::vector<Row> rows_;
  std::string text_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t> index_;
  std::string key_buffer_;
  std::uint32_t last_campaign_ = UINT32_MAX;
};

// The CSV of the rows of each rule set (`tables[i]` belongs to `labels[i]`).
// A key that occurs twice in one rule set (an entity deleted and created
// again at the same instant) gets a row per occurrence, matched in order.
std::string timeline_csv(const std::vector<std::string>& labels, const std::vector<RecordTable>& tables);

}  // namespace hourglass::runtime::tune
