// Records as JSON lines (SPEC §4), written by hand: a catch-up writes tens of
// millions of them, and this is the hot path of every replay.
#pragma once

#include <array>
#include <climits>
#include <functional>
#include <string>
#include <string_view>

#include "sim/canonical_merge.hpp"
#include "sim/record.hpp"

namespace hourglass::messages {

// Writes records of one campaign: the parts that repeat (the campaign
// prefix, the instant's formatted time) are prepared once.
class RecordJsonWriter {
 public:
  explicit RecordJsonWriter(std::string_view campaign_id);
  // Appends one record and its newline.
  void append(sim::TextBuffer& out, const sim::RecordView& r);

 private:
  // The head of every record, {"campaignId":"…","worldTime":" and the
  // instant's formatted time, in storage padded for copies of kHeadBlock
  // bytes (when the campaign id is short enough: `padded_`).
  static constexpr std::size_t kHeadBlock = 128;
  std::string prefix_;
  char head_[kHeadBlock] = {};
  std::size_t head_length_ = 0;
  bool padded_ = false;
  // The instant of the head; its date part is kept apart because
  // consecutive records mostly share the day, not the instant.
  sim::WorldTime cached_time_ = sim::kNever;
  std::int64_t cached_day_ = INT64_MIN;
  char time_text_[40] = {};
  std::size_t date_length_ = 0;
  std::size_t time_length_ = 0;
};

// Appends one record and its newline (one-off; prefer RecordJsonWriter).
void append_record_json(std::string& out, std::string_view campaign_id, const sim::RecordView& r);
// Appends `s` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view s);
// The record's idempotency key: campaignId:entityType:entityId:kind:worldTimeMs.
std::string idempotency_key(std::string_view campaign_id, const sim::RecordView& r);

// What a BatchWriter keeps of each record: its JSON line (to write or
// publish) and what it changes, entity by entity (the service's API writes).
struct RecordCapture {
  bool text = true;
  bool changes = false;
  // When set, asked by every BatchWriter that would write text, once, as it
  // starts (a step, or an entity message's firings): false keeps its records
  // without text (counted in RecordBatch::untexted), so that a service whose
  // record feed is backed up makes no JSON it would only drop. Never set in
  // replay.
  std::function<bool()> text_wanted;
};

// A sink that keeps records in a RecordBatch: their JSON lines grouped by
// instant, for the canonical merge, and/or what they change
// (batch.changes), as `capture` says (its gate asked once, here).
// `campaign_id` must outlive the writer.
class BatchWriter final : public sim::RecordSink {
 public:
  BatchWriter(std::string_view campaign_id, sim::RecordBatch& batch, const RecordCapture& capture = {})
      : writer_(campaign_id), batch_(&batch),
        text_(capture.text && (!capture.text_wanted || capture.text_wanted())),
        untexted_(capture.text && !text_), changes_(capture.changes) {}
  void record(const sim::RecordView& r) override;
  // Whether its records get their text (asked for, and not gated).
  bool writes_text() const { return text_; }

 private:
  RecordJsonWriter writer_;
  sim::RecordBatch* batch_;
  bool text_;      // the lines are written
  bool untexted_;  // they were asked for, but the gate said no: counted
  bool changes_;
};

}  // namespace hourglass::messages
