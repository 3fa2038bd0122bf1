#include "runtime/service/logging.hpp"

#include <ctime>
#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <stdexcept>

namespace hourglass::service {
namespace {

const char* level_name(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

// `s` as a JSON string literal, quotes included.
std::string json_string(const char* data, std::size_t size) {
  return nlohmann::json(std::string(data, size))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append(spdlog::memory_buf_t& dest, const std::string& s) { dest.append(s.data(), s.data() + s.size()); }
void append(spdlog::memory_buf_t& dest, const char* s) { dest.append(s, s + std::char_traits<char>::length(s)); }

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  const auto since_epoch = msg.time.time_since_epoch();
  const auto secs = duration_cast<seconds>(since_epoch);
  auto ms = duration_cast<milliseconds>(since_epoch - secs).count();
  std::time_t t = static_cast<std::time_t>(secs.count());
  if (ms < 0) {  // before 1970: keep the millisecond field positive
    ms += 1000;
    --t;
  }
  std::tm tm{};
  gmtime_r(&t, &tm);
  char ts[64];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  append(dest, "{\"ts\":\"");
  append(dest, ts);
  append(dest, "\",\"level\":\"");
  append(dest, level_name(msg.level));
  append(dest, "\",\"logger\":");
  append(dest, json_string(msg.logger_name.data(), msg.logger_name.size()));
  append(dest, ",\"msg\":");
  append(dest, json_string(msg.payload.data(), msg.payload.size()));
  append(dest, "}\n");
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

spdlog::level::level_enum parse_log_level(const std::string& level) {
  if (level == "trace") return spdlog::level::trace;
  if (level == "debug") return spdlog::level::debug;
  if (level == "info") return spdlog::level::info;
  if (level == "warn") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  if (level == "off") return spdlog::level::off;
  throw std::invalid_argument("log level must be one of trace, debug, info, warn, error, off, got '" +
                              level + "'");
}

std::unique_ptr<spdlog::formatter> make_log_formatter(const std::string& format) {
  if (format == "json") return std::make_unique<JsonLogFormatter>();
  if (format == "text") {
    return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v",
                                                       spdlog::pattern_time_type::utc);
  }
  throw std::invalid_argument("log format must be json or text, got '" + format + "'");
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, const std::string& level,
                                            const std::string& format, spdlog::sink_ptr sink) {
  const auto lvl = parse_log_level(level);
  auto formatter = make_log_formatter(format);
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>(name, std::move(sink));
  logger->set_level(lvl);
  return logger;
}

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = make_logger("hourglass", level, format, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace hourglass::service
