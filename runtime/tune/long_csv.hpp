// timeline-long.csv: every point of every chart's series in the long ("tidy")
// format that spreadsheets' pivot tables and plotting tools take directly —
// one row per (time, variant, entity, metric) instead of one column per
// variant as in timeline.csv.
#pragma once

#include <string>
#include <vector>

#include "actors/protocol.hpp"
#include "runtime/tune/run_variants.hpp"

namespace hourglass::runtime::tune {

// Header `time,day,variant,entity,metric,value`; `labels` name the variants
// (the tune gives its short labels, short_labels.hpp). `time` is ISO 8601 world
// time; `day` the days since the start of the entity's campaign (its clock in
// `campaigns`), to 4 decimals; `entity` the settlement or structure id
// ("campaign/id" when there are several campaigns); `metric` population,
// level, each resource's name (settlements), condition, status (structures,
// the status by name). Rows by variant (in label order), then settlements and
// structures in (campaign, id) order, then metric, then time: a step series
// as the charts draw it (a value holds until the next row).
std::string long_csv(const std::vector<std::string>& labels, const std::vector<VariantResult>& results,
                     const std::vector<actors::CampaignSeed>& campaigns);

}  // namespace hourglass::runtime::tune
