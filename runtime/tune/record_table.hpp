// timeline.csv: every record of every rule set, one row per record key
// (worldTime, campaignId, entityType, entityId, kind) in that order, with one
// column per rule set holding that record's `changes` as written (empty when
// the rule set had no such record).
#pragma once

#include <string>
#include <vector>

#include "runtime/tune/record_reader.hpp"

namespace hourglass::runtime::tune {

struct RecordRow {
  sim::WorldTime time = 0;
  std::string world_time;
  std::string campaign_id;
  std::string entity_type;
  std::string entity_id;
  std::string kind;
  std::string changes;
};

// Keeps every record of one replay as a row.
class RecordTable final : public RecordConsumer {
 public:
  void on_record(const RecordLine& record) override;
  std::vector<RecordRow>& rows() { return rows_; }

 private:
  std::vector<RecordRow> rows_;
};

// The CSV of the rows of each rule set (`tables[i]` belongs to `labels[i]`).
// A key that occurs twice in one rule set (an entity deleted and created
// again at the same instant) gets a row per occurrence, matched in order.
std::string timeline_csv(const std::vector<std::string>& labels, std::vector<std::vector<RecordRow>> tables);

}  // namespace hourglass::runtime::tune
