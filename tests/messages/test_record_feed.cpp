// messages/record_feed: how records are framed on campaign.{id}.simulation.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "messages/record_feed.hpp"

using hourglass::messages::feed_messages;
using hourglass::messages::feed_records;
using hourglass::messages::FeedMessage;

namespace {

std::vector<std::string> joined(const std::vector<FeedMessage>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) {
    out.emplace_back();
    for (std::string_view part : m) out.back().append(part);
  }
  return out;
}

}  // namespace

TEST_CASE("feed: records are packed into messages of whole lines, at most max_bytes", "[messages][feed]") {
  const std::string lines = "aaaa\nbbbb\ncc\nddddddddddd\ne\n";
  // "aaaa\nbbbb" is 9 bytes; adding "\ncc" would make 12.
  CHECK(joined(feed_messages({lines}, 10)) == std::vector<std::string>{"aaaa\nbbbb", "cc", "ddddddddddd", "e"});
  CHECK(joined(feed_messages({lines}, 9)) == std::vector<std::string>{"aaaa\nbbbb", "cc", "ddddddddddd", "e"});
  CHECK(joined(feed_messages({lines}, 8)) == std::vector<std::string>{"aaaa", "bbbb\ncc", "ddddddddddd", "e"});
  CHECK(joined(feed_messages({lines}, 1000)) == std::vector<std::string>{"aaaa\nbbbb\ncc\nddddddddddd\ne"});
  // The same text in other pieces: the same messages.
  CHECK(joined(feed_messages({"aaaa\n", "bbbb\ncc\n", "ddddddddddd\n", "e\n"}, 10)) ==
        std::vector<std::string>{"aaaa\nbbbb", "cc", "ddddddddddd", "e"});
  CHECK(joined(feed_messages({"one"}, 2)) == std::vector<std::string>{"one"});  // no trailing newline, longer than max
  CHECK(joined(feed_messages({"ab\n", "cd"}, 4)) == std::vector<std::string>{"ab", "cd"});  // "ab\ncd" is 5
  CHECK(feed_messages({""}, 10).empty());
  CHECK(feed_messages({"\n\n", "\n"}, 10).empty());
  CHECK_THROWS_AS(feed_messages({"a\n"}, 0), std::invalid_argument);
}

TEST_CASE("feed: a subscriber splitting the messages gets every record back, in order", "[messages][feed]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    // Records in pieces of whole lines, as the canonical merge hands them out.
    std::vector<std::string> records(rng() % 40);
    std::vector<std::string> pieces(1);
    for (std::size_t i = 0; i < records.size(); ++i) {
      records[i] = "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(rng() % 90, 'x') + "\"}";
      pieces.back() += records[i] + "\n";
      if (rng() % 8 == 0) pieces.back() += "\n";  // an empty line is skipped
      if (rng() % 3 == 0) pieces.emplace_back();
    }
    const std::vector<std::string_view> views(pieces.begin(), pieces.end());
    const std::size_t max_bytes = 1 + rng() % 400;
    std::vector<std::string> back;
    for (const std::string& message : joined(feed_messages(views, max_bytes))) {
      const auto in_message = feed_records(message);
      REQUIRE(!in_message.empty());
      // Over the bound only when the message is one record alone.
      if (message.size() > max_bytes) REQUIRE(in_message.size() == 1);
      REQUIRE(message.back() != '\n');
      for (std::string_view r : in_message) back.emplace_back(r);
    }
    REQUIRE(back == records);
  }
}
