// io::write_to_text, the outbox's `write` field, against what it replaces
// (io::write_to_json(...).dump()) and what reads it back
// (messages::read_dead_letter_write).
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/write_executor.hpp"
#include "messages/dead_letter_codec.hpp"

using hourglass::io::EntityWrite;
using hourglass::io::write_from_entry;
using hourglass::io::write_to_json;
using hourglass::io::write_to_text;
using nlohmann::json;

namespace {

const std::vector<std::string> kOddStrings{
    "",
    "plain-id_01",
    "with \"quotes\"",
    "back\\slash",
    "slash/ed",
    "new\nline\ttab\rcr\bbs\fff",
    std::string("nul\0inside", 10),
    "\x01\x1f control",
    "del \x7f",
    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x89",  // é € 🐉
    "c1:Settlement:s1:MAINTENANCE_PAID:3600000",
    "{json} [like] ,:",
};

EntityWrite write_of(EntityWrite::Kind kind, const std::string& text, std::uint64_t seq, std::int64_t time) {
  EntityWrite w;
  w.kind = kind;
  w.entity_id = text;
  w.idempotency_key = "key:" + text;
  w.world_time = time;
  w.seq = seq;
  if (kind == EntityWrite::Kind::Settlement)
    w.changes = {{"population", 120}, {"resources.gold", -3.25}, {"level", 2}, {text, text}};
  else if (kind == EntityWrite::Kind::Structure)
    w.changes = {{"status", "ACTIVE"}, {"condition", 97.5}, {"activeSince", "0001-01-02T00:00:00Z"}, {"n", nullptr}};
  else if (kind == EntityWrite::Kind::ExpireEvent)
    w.changes = {{"isCompleted", true}, {"nested", {{"a", json::array({1, "two", false})}}}};
  return w;
}

}  // namespace

TEST_CASE("outbox write text: byte for byte write_to_json's dump, and read back the same, for every kind",
          "[service][checkpoint_store][outbox_text]") {
  const std::vector<EntityWrite::Kind> kinds{EntityWrite::Kind::Settlement, EntityWrite::Kind::Structure,
                                             EntityWrite::Kind::ExpireEvent, EntityWrite::Kind::ExecuteEffect};
  // (The reader takes a seq up to INT64_MAX: messages::whole_number.)
  const std::vector<std::uint64_t> seqs{0, 1, 4242, std::numeric_limits<std::int64_t>::max()};
  const std::vector<std::int64_t> times{0, 3600, 86'400'000 + 17, 365LL * 86400 * 3000};
  int checked = 0;
  for (const auto kind : kinds) {
    for (std::size_t i = 0; i < kOddStrings.size(); ++i) {
      const std::string& odd = kOddStrings[i];
      const EntityWrite w = write_of(kind, odd, seqs[i % seqs.size()], times[i % times.size()]);
      for (const std::string& campaign : {std::string("c1"), odd.empty() ? std::string("x") : odd}) {
        INFO("kind " << hourglass::io::to_string(kind) << ", string " << i << ", campaign " << json(campaign).dump());
        const std::string text = write_to_text(campaign, w);
        CHECK(text == write_to_json(campaign, w).dump());
        const hourglass::messages::DeadLetterWrite read = hourglass::messages::read_dead_letter_write(text);
        CHECK(read.campaign_id == campaign);
        CHECK(read.seq == w.seq);
        CHECK(write_from_entry(read) == w);
        ++checked;
      }
    }
  }
  CHECK(checked == 4 * static_cast<int>(kOddStrings.size()) * 2);
}

TEST_CASE("outbox write text: a seq beyond INT64_MAX is written as write_to_json writes it",
          "[service][checkpoint_store][outbox_text]") {
  EntityWrite w = write_of(EntityWrite::Kind::Settlement, "s1", std::numeric_limits<std::uint64_t>::max(), 0);
  CHECK(write_to_text("c1", w) == write_to_json("c1", w).dump());
}

TEST_CASE("outbox write text: invalid UTF-8 is refused as write_to_json's dump refuses it",
          "[service][checkpoint_store][outbox_text]") {
  EntityWrite w = write_of(EntityWrite::Kind::ExecuteEffect, "bad \xff byte", 1, 0);
  CHECK_THROWS_AS(write_to_json("c1", w).dump(), json::type_error);
  CHECK_THROWS_AS(write_to_text("c1", w), json::type_error);
  w.entity_id = "fine";
  CHECK_THROWS_AS(write_to_text("c\xc3", w), json::type_error);
  w.changes = {{"k", "\xc3("}};
  CHECK_THROWS_AS(write_to_text("c1", w), json::type_error);
}
