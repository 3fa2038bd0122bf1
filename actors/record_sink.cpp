#include "actors/record_sink.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>


#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

#include "actors/protocol.hpp"

namespace hourglass::actors {

namespace {

void write_fully(int fd, const char* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("writing records failed: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
}

void writev_fully(int fd, const std::vector<std::string_view>& pieces) {
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

}  // namespace

FileOutput::FileOutput(std::FILE* f) : f_(f) {
  struct stat st {};
  regular_ = ::fstat(fileno(f_), &st) == 0 && S_ISREG(st.st_mode);
}

void FileOutput::write_all(const std::vector<std::string_view>& pieces) {
  std::fflush(f_);  // what went through stdio goes first
  const int fd = fileno(f_);
  if (!regular_) return writev_fully(fd, pieces);
  // Into a file, the kernel's cost of a writev grows with its pieces, which
  // are small (a record or a few, ~200 bytes) and many: a replay to a file
  // took three times what dd takes for the same bytes. Joined a megabyte at a
  // time, each write is one long copy. (/dev/null and pipes keep the writev:
  // there the copy would be the only cost.)
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  if (buffer_.capacity() < kChunk) buffer_.reserve(kChunk);
  for (std::string_view p : pieces) {
    if (buffer_.size() + p.size() > kChunk) {
      write_fully(fd, buffer_.data(), buffer_.size());
      buffer_.clear();
    }
    buffer_.append(p.data(), p.size());
  }
  write_fully(fd, buffer_.data(), buffer_.size());
  buffer_.clear();
}

caf::behavior record_sink(caf::event_based_actor* self, std::shared_ptr<RecordOutput> out) {
  return {
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
