#include "runtime/tune/record_table.hpp"

#include <algorithm>
#include <tuple>

#include "report/csv.hpp"

namespace hourglass::runtime::tune {
namespace {

auto key_of(const RecordRow& r) {
  return std::tie(r.time, r.campaign_id, r.entity_type, r.entity_id, r.kind);
}

struct Cell {
  const RecordRow* row;
  std::size_t occurrence;  // among equal keys of its rule set, in record order
  std::size_t variant;
};

bool cell_less(const Cell& a, const Cell& b) {
  return std::forward_as_tuple(key_of(*a.row), a.occurrence, a.variant) <
         std::forward_as_tuple(key_of(*b.row), b.occurrence, b.variant);
}

bool same_row(const Cell& a, const Cell& b) {
  return key_of(*a.row) == key_of(*b.row) && a.occurrence == b.occurrence;
}

}  // namespace

void RecordTable::on_record(const RecordLine& r) {
  rows_.push_back({r.time, std::string(r.world_time), std::string(r.campaign_id),
                   sim::entity_type_name(sim::entity_type_of(r.kind)), std::string(r.entity_id),
                   sim::kind_name(r.kind), std::string(r.changes)});
}

std::string timeline_csv(const std::vector<std::string>& labels, std::vector<std::vector<RecordRow>> tables) {
  std::vector<Cell> cells;
  for (std::size_t v = 0; v < tables.size(); ++v) {
    std::vector<RecordRow>& rows = tables[v];
    std::stable_sort(rows.begin(), rows.end(),
                     [](const RecordRow& a, const RecordRow& b) { return key_of(a) < key_of(b); });
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::size_t occurrence = i > 0 && key_of(rows[i]) == key_of(rows[i - 1]) ? cells.back().occurrence + 1 : 0;
      cells.push_back({&rows[i], occurrence, v});
    }
  }
  std::sort(cells.begin(), cells.end(), cell_less);

  std::vector<std::string> header = {"worldTime", "campaignId", "entityType", "entityId", "kind"};
  header.insert(header.end(), labels.begin(), labels.end());
  std::vector<std::vector<std::string>> out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const RecordRow& r = *cells[i].row;
    if (i == 0 || !same_row(cells[i - 1], cells[i])) {
      out.push_back({r.world_time, r.campaign_id, r.entity_type, r.entity_id, r.kind});
      out.back().resize(5 + labels.size());
    }
    out.back()[5 + cells[i].variant] = r.changes;
  }
  return report::render_csv(header, out);
}

}  // namespace hourglass::runtime::tune
