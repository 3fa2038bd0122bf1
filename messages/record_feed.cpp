#include "messages/record_feed.hpp"

#include <stdexcept>

namespace hourglass::messages {
namespace {

// Gathers the parts of one message at a time. A message's bytes are its
// parts with the last part's trailing newlines left off, so a message of
// `max_bytes` takes up to max_bytes + 1 bytes of its pieces.
class MessageCutter {
 public:
  explicit MessageCutter(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  void take(std::string_view piece) {
    while (!piece.empty()) {
      if (size_ > max_bytes_) close();  // full: its last line end is its bound
      const std::size_t room = max_bytes_ + 1 - size_;
      if (piece.size() < room || (piece.size() == room && piece.back() == '\n')) {
        add(piece);
        return;
      }
      // The last line end that fits, searched backwards from the bound: one
      // search per message, not one per record (a year's feed is gigabytes).
      std::size_t cut = piece.rfind('\n', room - 1);
      if (cut == std::string_view::npos) {
        if (size_ > 0) {  // the next record does not fit beside the others
          close();
          continue;
        }
        cut = piece.find('\n', room);  // one record longer than max_bytes, alone
        if (cut == std::string_view::npos) cut = piece.size() - 1;
      }
      add(piece.substr(0, cut + 1));
      close();
      piece.remove_prefix(cut + 1);
    }
  }

  std::vector<FeedMessage> finish() {
    close();
    return std::move(out_);
  }

 private:
  void add(std::string_view part) {
    current_.push_back(part);
    size_ += part.size();
  }

  void close() {
    while (!current_.empty()) {  // the trailing newlines go
      std::string_view& last = current_.back();
      while (!last.empty() && last.back() == '\n') last.remove_suffix(1);
      if (!last.empty()) break;
      current_.pop_back();
    }
    if (!current_.empty()) out_.push_back(std::move(current_));
    current_.clear();
    size_ = 0;
  }

  std::size_t max_bytes_;
  FeedMessage current_;
  std::size_t size_ = 0;  // of current_'s parts
  std::vector<FeedMessage> out_;
};

}  // namespace

std::vector<FeedMessage> feed_messages(const std::vector<std::string_view>& pieces, std::size_t max_bytes) {
  if (max_bytes == 0) throw std::invalid_argument("feed_messages: max_bytes must be > 0");
  MessageCutter cutter(max_bytes);
  for (std::string_view piece : pieces) cutter.take(piece);
  return cutter.finish();
}

std::vector<std::string_view> feed_records(std::string_view message) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < message.size()) {
    std::size_t eol = message.find('\n', at);
    if (eol == std::string_view::npos) eol = message.size();
    if (eol > at) out.push_back(message.substr(at, eol - at));
    at = eol + 1;
  }
  return out;
}

}  // namespace hourglass::messages
