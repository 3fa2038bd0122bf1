#include "runtime/tune/record_table.hpp"

#include <algorithm>
#include <queue>

#include "report/csv.hpp"
#include "runtime/tune/json_scan.hpp"

namespace hourglass::runtime::tune {
namespace {

std::string_view type_name(sim::RecordKind kind) { return sim::entity_type_name(sim::entity_type_of(kind)); }

constexpr std::size_t kKinds = 9;

// The rank of each kind's entity type name, and of its kind name, in byte order.
struct KindRanks {
  std::uint8_t type[kKinds];
  std::uint8_t kind[kKinds];
  KindRanks() {
    for (std::size_t a = 0; a < kKinds; ++a) {
      type[a] = kind[a] = 0;
      for (std::size_t b = 0; b < kKinds; ++b) {
        const auto ka = static_cast<sim::RecordKind>(a), kb = static_cast<sim::RecordKind>(b);
        type[a] += byte_compare(type_name(kb), type_name(ka)) < 0;
        kind[a] += byte_compare(sim::kind_name(kb), sim::kind_name(ka)) < 0;
      }
    }
  }
};
const KindRanks& ranks() {
  static const KindRanks r;
  return r;
}

// A row's key as integers (names replaced by their rank among every rule
// set's names), so that sorting and merging millions of rows compares numbers.
struct RowKey {
  sim::WorldTime time;
  std::uint32_t campaign;
  std::uint32_t entity;
  std::uint8_t type;
  std::uint8_t kind;
};
bool operator<(const RowKey& a, const RowKey& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.campaign != b.campaign) return a.campaign < b.campaign;
  if (a.type != b.type) return a.type < b.type;
  if (a.entity != b.entity) return a.entity < b.entity;
  return a.kind < b.kind;
}
bool operator==(const RowKey& a, const RowKey& b) { return !(a < b) && !(b < a); }

// One rule set's rows in key order (record order among equal keys).
struct SortedTable {
  const RecordTable* table;
  std::vector<RowKey> keys;          // by position in `order`
  std::vector<std::uint32_t> order;  // row indices
};

// Every name of every table in byte order; each table's names as ranks in it.
std::vector<std::vector<std::uint32_t>> name_ranks(const std::vector<RecordTable>& tables) {
  std::vector<std::string_view> all;
  for (const RecordTable& t : tables) all.insert(all.end(), t.names().begin(), t.names().end());
  std::sort(all.begin(), all.end(), [](std::string_view a, std::string_view b) { return byte_compare(a, b) < 0; });
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<std::vector<std::uint32_t>> ranks_by_table;
  for (const RecordTable& t : tables) {
    std::vector<std::uint32_t> ranks;
    for (const std::string& name : t.names()) {
      auto it = std::lower_bound(all.begin(), all.end(), std::string_view(name),
                                 [](std::string_view a, std::string_view b) { return byte_compare(a, b) < 0; });
      ranks.push_back(static_cast<std::uint32_t>(it - all.begin()));
    }
    ranks_by_table.push_back(std::move(ranks));
  }
  return ranks_by_table;
}

SortedTable sorted(const RecordTable& table, const std::vector<std::uint32_t>& rank) {
  const KindRanks& r = ranks();
  const auto& rows = table.rows();
  std::vector<RowKey> keys(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto k = static_cast<std::size_t>(rows[i].kind);
    keys[i] = RowKey{rows[i].time, rank[rows[i].campaign], rank[rows[i].entity], r.type[k], r.kind[k]};
  }
  SortedTable out{&table, {}, std::vector<std::uint32_t>(rows.size())};
  for (std::uint32_t i = 0; i < out.order.size(); ++i) out.order[i] = i;
  std::stable_sort(out.order.begin(), out.order.end(), [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
  out.keys.reserve(rows.size());
  for (std::uint32_t i : out.order) out.keys.push_back(keys[i]);
  return out;
}

// A position in one rule set's sorted rows, and the occurrence of its key.
struct Cursor {
  std::size_t table;
  std::size_t row;
  std::size_t occurrence;
};

}  // namespace

std::uint32_t RecordTable::intern(std::string_view name) {
  if (last_campaign_ != UINT32_MAX && same_text(names_[last_campaign_], name)) return last_campaign_;
  key_buffer_.assign(name.data(), name.size());
  auto it = index_.find(key_buffer_);
  if (it != index_.end()) return it->second;
  names_.push_back(key_buffer_);
  return index_.emplace(key_buffer_, static_cast<std::uint32_t>(names_.size() - 1)).first->second;
}

void RecordTable::on_record(const RecordLine& r) {
  Row row;
  row.time = r.time;
  row.campaign = last_campaign_ = intern(r.campaign_id);
  row.entity = intern(r.entity_id);
  row.kind = r.kind;
  row.changes_offset = text_.size();
  row.changes_length = static_cast<std::uint32_t>(r.changes.size());
  text_.append(r.changes.data(), r.changes.size());
  rows_.push_back(row);
}

std::string timeline_csv(const std::vector<std::string>& labels, const std::vector<RecordTable>& input) {
  const auto rank = name_ranks(input);
  std::vector<SortedTable> tables;
  for (std::size_t t = 0; t < input.size(); ++t) tables.push_back(sorted(input[t], rank[t]));
  auto key = [&](const Cursor& c) -> const RowKey& { return tables[c.table].keys[c.row]; };
  // Later in the merge: greater key, then occurrence, then rule set.
  auto later = [&](const Cursor& a, const Cursor& b) {
    if (key(b) < key(a)) return true;
    if (key(a) < key(b)) return false;
    return a.occurrence != b.occurrence ? a.occurrence > b.occurrence : a.table > b.table;
  };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heads(later);
  auto push = [&](std::size_t table, std::size_t row, const Cursor* previous) {
    if (row >= tables[table].order.size()) return;
    Cursor c{table, row, 0};
    if (previous && key(*previous) == key(c)) c.occurrence = previous->occurrence + 1;
    heads.push(c);
  };
  for (std::size_t t = 0; t < tables.size(); ++t) push(t, 0, nullptr);

  std::vector<std::string> header = {"worldTime", "campaignId", "entityType", "entityId", "kind"};
  header.insert(header.end(), labels.begin(), labels.end());
  std::string out = report::render_csv(header, {});
  // Reserved up front: the CSV of a year-long sweep is hundreds of MB and
  // growing it by doubling copies it again and again.
  std::size_t estimate = out.size();
  for (const SortedTable& t : tables) estimate += t.table->text_size() + t.order.size() * 64;
  out.reserve(estimate);
  std::vector<std::string_view> cells(labels.size());
  sim::WorldTime formatted_time = 0;
  std::string time_text;  // rows come in time order: most share the previous row's time
  bool first_row = true;
  while (!heads.empty()) {
    const Cursor first = heads.top();
    const RecordTable& table = *tables[first.table].table;
    const RecordTable::Row& row = table.rows()[tables[first.table].order[first.row]];
    std::fill(cells.begin(), cells.end(), std::string_view());
    // Every head with this key and occurrence belongs to this line.
    while (!heads.empty() && key(heads.top()) == key(first) && heads.top().occurrence == first.occurrence) {
      const Cursor c = heads.top();
      heads.pop();
      const SortedTable& st = tables[c.table];
      cells[c.table] = st.table->changes(st.table->rows()[st.order[c.row]]);
      push(c.table, c.row + 1, &c);
    }
    if (first_row || row.time != formatted_time) {
      first_row = false;
      formatted_time = row.time;
      time_text = sim::format_world_time(row.time);
    }
    out += time_text;
    for (std::string_view field : {table.name(row.campaign), type_name(row.kind), table.name(row.entity),
                                   std::string_view(sim::kind_name(row.kind))}) {
      out += ',';
      report::append_csv_field(out, field);
    }
    for (std::string_view cell : cells) {
      out += ',';
      report::append_csv_field(out, cell);
    }
    out += '\n';
  }
  return out;
}

}  // namespace hourglass::runtime::tune
