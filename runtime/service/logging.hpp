// Service logging: spdlog to stderr, either one JSON object per line
//   {"ts":"2024-05-01T12:00:00.123Z","level":"info","logger":"hourglass","msg":"..."}
// (the message JSON-escaped, invalid UTF-8 replaced by U+FFFD, so every line
// parses) or a readable text line
//   2024-05-01T12:00:00.123Z info hourglass: ...
// Timestamps are UTC with milliseconds in both formats.
#pragma once

#include <memory>
#include <spdlog/formatter.h>
#include <spdlog/logger.h>
#include <string>

namespace hourglass::service {

// Makes a logger named "hourglass" writing to stderr with `level`
// (trace|debug|info|warn|error|off) and `format` (json|text) the spdlog
// default logger, so spdlog::info(...) anywhere goes through it.
// Throws std::invalid_argument for any other level or format; `hourglass
// serve` checks both with the rest of its configuration first (config_table
// uses parse_log_level and make_log_formatter), so there a bad one is listed
// with every other fault, exit 2, and this never throws.
void setup_logging(const std::string& level, const std::string& format);

// The pieces of setup_logging, for tests and other sinks.
spdlog::level::level_enum parse_log_level(const std::string& level);  // throws std::invalid_argument
std::unique_ptr<spdlog::formatter> make_log_formatter(const std::string& format);  // throws std::invalid_argument
std::shared_ptr<spdlog::logger> make_logger(const std::string& name, const std::string& level,
                                            const std::string& format, spdlog::sink_ptr sink);

// The JSON-lines formatter.
class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace hourglass::service
