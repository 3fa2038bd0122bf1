// Unit tests for sim/canonical_merge: record groups of several timelines are
// merged by (time, rank), which is the canonical order of SPEC §3 when the
// ranks are deferred effects, households by settlement id, events.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sim/canonical_merge.hpp"

using hourglass::sim::merge_canonical;
using hourglass::sim::order_canonically;
using hourglass::sim::ChangeList;
using hourglass::sim::RecordKind;
using hourglass::sim::RecordView;
using hourglass::sim::RecordBatch;
using hourglass::sim::TextBuffer;
using hourglass::sim::WorldTime;

namespace {

// A batch from (time, text of the group) pairs, in increasing time.
RecordBatch batch(const std::vector<std::pair<WorldTime, std::string>>& groups) {
  RecordBatch b;
  for (const auto& [time, text] : groups) {
    b.text.append(text);
    b.groups.push_back({time, b.text.size()});
    ++b.records;
  }
  return b;
}

std::string merged(const std::vector<const RecordBatch*>& by_rank) {
  TextBuffer out;
  merge_canonical(by_rank, out);
  return out.str();
}

}  // namespace

TEST_CASE("groups are merged by time", "[merge]") {
  const RecordBatch a = batch({{10, "a10\n"}, {30, "a30\n"}});
  const RecordBatch b = batch({{20, "b20\n"}, {40, "b40\n"}});
  CHECK(merged({&a, &b}) == "a10\nb20\na30\nb40\n");
  // The rank only breaks ties: swapping the ranks changes nothing here.
  CHECK(merged({&b, &a}) == "a10\nb20\na30\nb40\n");
}

TEST_CASE("identical times go in rank order", "[merge]") {
  // Multi-line groups stay whole.
  const RecordBatch effects = batch({{10, "fx1\nfx2\n"}});
  const RecordBatch s1 = batch({{10, "s1-rg\ns1-pg\n"}, {20, "s1-rg20\n"}});
  const RecordBatch s2 = batch({{5, "s2-early\n"}, {10, "s2-rg\n"}, {20, "s2-rg20\n"}});
  const RecordBatch events = batch({{10, "e1\n"}, {20, "e2\n"}});
  CHECK(merged({&effects, &s1, &s2, &events}) ==
        "s2-early\n"
        "fx1\nfx2\ns1-rg\ns1-pg\ns2-rg\ne1\n"
        "s1-rg20\ns2-rg20\ne2\n");
  // Reversing the ranks reverses the ties only.
  CHECK(merged({&events, &s2, &s1, &effects}) ==
        "s2-early\n"
        "e1\ns2-rg\ns1-rg\ns1-pg\nfx1\nfx2\n"
        "e2\ns2-rg20\ns1-rg20\n");
}

TEST_CASE("empty batches and null entries are skipped", "[merge]") {
  const RecordBatch empty;
  const RecordBatch a = batch({{1, "a1\n"}, {3, "a3\n"}});
  const RecordBatch b = batch({{1, "b1\n"}, {2, "b2\n"}});
  CHECK(merged({nullptr, &empty, &a, nullptr, &b, &empty}) == "a1\nb1\nb2\na3\n");
  CHECK(merged({&empty, nullptr}).empty());
  CHECK(merged({}).empty());
}

TEST_CASE("the merge appends to what the output already holds", "[merge]") {
  const RecordBatch a = batch({{1, "a1\n"}});
  TextBuffer out;
  out.append("before\n");
  merge_canonical({&a}, out);
  CHECK(out.str() == "before\na1\n");
}

namespace {

// Timelines of random instants (fewer than `most` per rank, drawn by
// `time_of`), and the text of all their groups as a stable sort by
// (time, rank) orders them: the obvious reference.
struct Timelines {
  std::vector<RecordBatch> batches;
  std::string want;
  std::vector<const RecordBatch*> by_rank() const {
    std::vector<const RecordBatch*> out;
    for (const RecordBatch& b : batches) out.push_back(&b);
    return out;
  }
};

template <class TimeOf>
Timelines random_timelines(std::mt19937_64& random, std::size_t ranks, std::uint64_t most, TimeOf time_of) {
  Timelines out;
  out.batches.resize(ranks);
  std::vector<std::pair<std::pair<WorldTime, std::size_t>, std::string>> expected;
  for (std::size_t rank = 0; rank < ranks; ++rank) {
    std::vector<WorldTime> times(random() % most);
    for (WorldTime& t : times) t = time_of(random);
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    std::vector<std::pair<WorldTime, std::string>> groups;
    for (WorldTime t : times) {
      std::string text = std::to_string(rank) + "@" + std::to_string(t) + "\n";
      groups.emplace_back(t, text);
      expected.push_back({{t, rank}, text});
    }
    out.batches[rank] = batch(groups);
  }
  std::stable_sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& e : expected) out.want += e.second;
  return out;
}

}  // namespace

TEST_CASE("many timelines over a long span merge as a stable sort by (time, rank) would", "[merge]") {
  // Hundreds of ranks and spans past every digit of the radix sort (minutes
  // to centuries), with many ties, against the obvious reference.
  for (const WorldTime span : {WorldTime{50}, WorldTime{100'000}, WorldTime{40'000'000'000}, WorldTime{1} << 52}) {
    std::mt19937_64 random(static_cast<std::uint64_t>(span));
    const Timelines t = random_timelines(random, 300, 30, [span](std::mt19937_64& r) {
      return 1'000 + static_cast<WorldTime>(r() % static_cast<std::uint64_t>(span));
    });
    CHECK(merged(t.by_rank()) == t.want);
  }
}

TEST_CASE("steps in whole minutes or seconds merge as a stable sort by (time, rank) would", "[merge]") {
  // Whole-minute batches take the counting sort by minute (up to 45 days of
  // them), others the radix sort on coarsened keys; a batch not known to be in
  // whole minutes sends the step down the general path. Every way must give
  // the reference order.
  constexpr WorldTime kMinute = 60'000, kSecond = 1'000;
  constexpr WorldTime kStart = 1'736'000'000'000 / kMinute * kMinute;
  struct Case {
    WorldTime unit, units;  // times are kStart + unit * [0, units)
    bool flagged;           // the batches say whole_minutes
    bool one_unflagged;     // but one of them does not
  };
  const Case cases[] = {{kMinute, 50, true, false},        {kMinute, 1'440, true, false},
                        {kMinute, 1'440, true, true},      {kMinute, 1'440, false, false},
                        {kMinute, 100'000, true, false},   {kSecond, 86'400, false, false},
                        {kMinute * 60, 24 * 400, true, false}};
  for (const Case& c : cases) {
    std::mt19937_64 random(static_cast<std::uint64_t>(c.units * 7 + c.unit + c.one_unflagged));
    Timelines t = random_timelines(random, 200, 40, [&c](std::mt19937_64& r) {
      return kStart + c.unit * static_cast<WorldTime>(r() % static_cast<std::uint64_t>(c.units));
    });
    for (std::size_t rank = 0; rank < t.batches.size(); ++rank)
      t.batches[rank].whole_minutes = c.flagged && !(c.one_unflagged && rank == 100);
    INFO("unit " << c.unit << " x " << c.units << (c.flagged ? ", flagged" : "") << (c.one_unflagged ? ", one not" : ""));
    CHECK(merged(t.by_rank()) == t.want);
  }
}

TEST_CASE("a cleared batch is empty", "[merge]") {
  RecordBatch a = batch({{1, "a1\n"}, {2, "a2\n"}});
  CHECK_FALSE(a.empty());
  CHECK(a.records == 2);
  a.clear();
  CHECK(a.empty());
  CHECK(a.text.empty());
  CHECK(a.records == 0);
  CHECK(merged({&a}).empty());
}

namespace {

// `b` with the changes of a record per line, its entity the line (each line
// a settlement of its own, so its first record is that line).
RecordBatch with_changes(RecordBatch b) {
  std::size_t start = 0;
  const std::string text = b.text.str();
  for (const auto& g : b.groups) {
    for (std::size_t end; (end = text.find('\n', start)) < g.end; start = end + 1) {
      const std::string id = text.substr(start, end - start);
      RecordView r;
      r.time = g.time;
      r.kind = RecordKind::PopulationGrowth;
      r.entity_id = id;
      b.changes.add(r);
    }
  }
  return b;
}

std::string ids(const ChangeList& changes) {
  std::string out;
  for (const auto& e : changes) out += e.entity_id + "\n";
  return out;
}

}  // namespace

TEST_CASE("changes are ordered by their first records exactly as the text", "[merge][changes]") {
  std::vector<RecordBatch> batches;
  batches.push_back(with_changes(batch({{10, "fx1\nfx2\n"}})));
  batches.push_back(with_changes(batch({{10, "s1-rg\ns1-pg\n"}, {20, "s1-rg20\n"}})));
  batches.push_back(RecordBatch{});  // a settlement with nothing to say
  batches.push_back(with_changes(batch({{5, "s2-early\n"}, {10, "s2-rg\n"}, {20, "s2-rg20\n"}})));
  batches.push_back(with_changes(batch({{10, "e1\n"}, {20, "e2\n"}})));
  const auto ordered = order_canonically(std::move(batches));
  std::string text;
  for (auto s : ordered.slices) text.append(s);
  CHECK(text ==
        "s2-early\n"
        "fx1\nfx2\ns1-rg\ns1-pg\ns2-rg\ne1\n"
        "s1-rg20\ns2-rg20\ne2\n");
  CHECK(ids(ordered.changes) == text);
  for (const auto& b : ordered.batches) CHECK(b.changes.empty());  // moved out, not copied
}

TEST_CASE("without change capture the ordered step has no changes", "[merge][changes]") {
  std::vector<RecordBatch> batches;
  batches.push_back(batch({{1, "a1\n"}}));
  batches.push_back(batch({{1, "b1\n"}}));
  const auto ordered = order_canonically(std::move(batches));
  CHECK(ordered.slices.size() == 2);
  CHECK(ordered.changes.empty());
}
