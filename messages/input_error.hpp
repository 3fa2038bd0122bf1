// Every external input is validated; a fault is reported as what is wrong
// and where (a JSON path such as `$.settlement.levels[2].populationCap`).
#pragma once

#include <stdexcept>
#include <string>

namespace hourglass::messages {

class InputError : public std::runtime_error {
 public:
  InputError(std::string path, const std::string& message)
      : std::runtime_error(path.empty() ? message : path + ": " + message),
        path_(std::move(path)),
        message_(message) {}
  const std::string& path() const { return path_; }
  const std::string& message() const { return message_; }

 private:
  std::string path_;
  std::string message_;
};

}  // namespace hourglass::messages
