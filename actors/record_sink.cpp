#include "actors/record_sink.hpp"

#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

#include "actors/protocol.hpp"

namespace hourglass::actors {

void FileOutput::write_all(const std::vector<std::string_view>& pieces) {
  std::fflush(f_);  // what went through stdio goes first
  const int fd = fileno(f_);
  std::vector<iovec> iov;
  iov.reserve(IOV_MAX);
  auto drain = [&] {
    std::size_t first = 0;
    while (first < iov.size()) {
      const ssize_t n = ::writev(fd, iov.data() + first, static_cast<int>(iov.size() - first));
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("writing records failed: ") + std::strerror(errno));
      }
      auto left = static_cast<std::size_t>(n);
      while (first < iov.size() && left >= iov[first].iov_len) left -= iov[first++].iov_len;
      if (left > 0) {  // a short write ended inside this piece
        iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
      }
    }
    iov.clear();
  };
  for (std::string_view p : pieces) {
    if (p.empty()) continue;
    iov.push_back({const_cast<char*>(p.data()), p.size()});
    if (iov.size() == IOV_MAX) drain();
  }
  drain();
}

caf::behavior record_sink(caf::event_based_actor* self, std::shared_ptr<RecordOutput> out) {
  return {
      [=](records_atom, const std::string& text, const sim::ChangeList&) { out->write(text); },
      [=](records_atom, const sim::OrderedRecords& records) {
        out->write_all(records.slices);
        return true;
      },
      [=](message_done_atom) {},  // a file has no use for message boundaries
      [=](carry_atom, sim::WorldTime, const Carries&) {},  // nor for hidden state
      [=](flush_atom) {
        out->flush();
        return true;
      },
  };
}

}  // namespace hourglass::actors
