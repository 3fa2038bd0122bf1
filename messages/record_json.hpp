// Records as JSON lines (SPEC §4), written by hand: a catch-up writes tens of
// millions of them, and this is the hot path of every replay.
#pragma once

#include <string>
#include <string_view>

#include "sim/canonical_merge.hpp"
#include "sim/record.hpp"

namespace hourglass::messages {

// Appends one record and its newline.
void append_record_json(std::string& out, std::string_view campaign_id, const sim::RecordView& r);
// Appends `s` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view s);
// The record's idempotency key: campaignId:entityType:entityId:kind:worldTimeMs.
std::string idempotency_key(std::string_view campaign_id, const sim::RecordView& r);

// A sink that serializes records into a RecordBatch, grouped by instant, for
// the canonical merge.
class BatchWriter final : public sim::RecordSink {
 public:
  BatchWriter(std::string campaign_id, sim::RecordBatch& batch)
      : campaign_id_(std::move(campaign_id)), batch_(&batch) {}
  void record(const sim::RecordView& r) override;

 private:
  std::string campaign_id_;
  sim::RecordBatch* batch_;
};

}  // namespace hourglass::messages
