// hourglass dlq list|retry: the gateway's dead letters
// (`hourglass:gateway:deadletter`) and the input's (`hourglass:deadletter`,
// ids shown as input:<id>; docs/operations.md, "Dead letters").
// Configuration as for `hourglass serve` (environment, flags override, the
// same validation), but only the settings these commands use.
//
// Exit codes: 0 everything asked was done; 1 something was not (an entry
// kept, an unknown id, Redis unreachable); 2 bad configuration or usage.
#include "runtime/cli_dlq.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "actors/service/bridge_actor.hpp"  // the dead-letter streams, the one place that names them
#include "runtime/service/branch_config.hpp"
#include "runtime/service/config.hpp"
#include "io/dead_letters.hpp"
#include "io/input_dead_letters.hpp"
#include "io/redis_url.hpp"

namespace hourglass::runtime {
namespace {

constexpr auto kRedisTimeout = std::chrono::milliseconds(2000);

struct DlqArgs {
  service::ServiceConfig config;
  std::string env_error;   // the environment could not be read
  std::string token_file;  // --api-token-file, read when the command runs
  std::string password_file;  // --api-password-file, likewise
  bool json = false;
  bool all = false;
  bool force = false;
  std::vector<std::string> ids;
};

// The problems of validate() that concern `settings` (each problem starts
// with its setting's name), then the Redis URL's own parse.
std::vector<std::string> config_problems(const DlqArgs& a, const std::vector<std::string>& settings,
                                         io::RedisEndpoint& redis) {
  std::vector<std::string> out;
  for (const auto& p : service::validate(a.config))
    if (std::any_of(settings.begin(), settings.end(), [&](const std::string& s) { return p.rfind(s + ":", 0) == 0; }))
      out.push_back(p);
  if (out.empty()) {
    try {
      redis = io::parse_redis_url(a.config.redis_url);
    } catch (const std::exception& e) {
      out.push_back(e.what());
    }
  }
  return out;
}

int bad_config(DlqIo& io, const char* command, const std::vector<std::string>& problems) {
  io.err << "hourglass dlq " << command << ": bad configuration:";
  for (const auto& p : problems) io.err << "\n  " << p;
  io.err << "\n";
  return 2;
}

std::string one_line(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return s;
}

// Columns as wide as their widest cell, two spaces apart.
void print_rows(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      out << r[i];
      if (i + 1 < r.size()) out << std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << "\n";
  }
}

void print_table(std::ostream& out, const std::vector<io::DeadLetter>& letters, const std::string& stream) {
  if (letters.empty()) {
    out << "no dead letters in " << stream << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{{"ID", "CAMPAIGN", "WRITE", "ENTITY", "WORLD TIME", "ATTEMPTS", "REASON"}};
  std::size_t malformed = 0;
  for (const auto& d : letters) {
    if (d.malformed()) {
      ++malformed;
      rows.push_back({d.id, "-", "-", "-", "-", "-", "MALFORMED: " + one_line(d.error)});
      continue;
    }
    rows.push_back({d.id, d.campaign_id, io::to_string(d.write->kind),
                    std::string(io::entity_type(d.write->kind)) + "/" + d.write->entity_id,
                    sim::format_world_time(d.write->world_time), d.attempts ? std::to_string(*d.attempts) : "-",
                    d.reason.empty() ? "-" : one_line(d.reason)});
  }
  print_rows(out, rows);
  out << letters.size() << " dead letter(s) in " << stream;
  if (malformed > 0) out << ", " << malformed << " malformed";
  out << "\n";
}

// The input's dead letters, after the gateway's: what was refused or not
// handled, with the start of its payload.
void print_input_table(std::ostream& out, const std::vector<io::InputDeadLetter>& letters, const std::string& stream) {
  if (letters.empty()) {
    out << "no dead letters in " << stream << "\n";
    return;
  }
  constexpr std::size_t kPayloadShown = 60;
  std::vector<std::vector<std::string>> rows{{"ID", "CHANNEL", "PAYLOAD", "REASON"}};
  for (const auto& d : letters) {
    std::string payload = one_line(d.payload.substr(0, kPayloadShown));
    if (d.payload.size() > kPayloadShown || d.truncated) payload += "...";
    rows.push_back({d.shown_id(), d.channel.empty() ? "-" : d.channel, payload.empty() ? "-" : payload,
                    d.reason.empty() ? "-" : one_line(d.reason)});
  }
  print_rows(out, rows);
  out << letters.size() << " dead letter(s) in " << stream << "\n";
}

int run_list(DlqIo& io, const DlqArgs& a) {
  io::RedisEndpoint endpoint;
  if (auto problems = config_problems(a, {"redis_url"}, endpoint); !problems.empty())
    return bad_config(io, "list", problems);
  const std::string stream = actors::kGatewayDeadLetterStream;
  const std::string input_stream = actors::kDeadLetterStream;
  try {
    auto redis = io::RedisConnection::connect(endpoint, kRedisTimeout);
    const auto letters = io::read_dead_letters(redis, stream);
    const auto input_letters = io::read_input_dead_letters(redis, input_stream);
    if (a.json) {
      for (const auto& d : letters) io.out << io::to_json(d).dump() << "\n";
      // A payload may be binary (Socket.IO msgpack): invalid UTF-8 shown as U+FFFD.
      for (const auto& d : input_letters)
        io.out << io::to_json(d).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      print_table(io.out, letters, stream);
      io.out << "\n";
      print_input_table(io.out, input_letters, input_stream);
    }
    return 0;
  } catch (const std::exception& e) {
    io.err << "hourglass dlq list: " << e.what() << "\n";
    return 1;
  }
}

int run_retry(DlqIo& io, DlqArgs a) {
  if (a.all == !a.ids.empty()) {
    io.err << "hourglass dlq retry: give the ids of the dead letters to retry (see hourglass dlq list), or --all\n";
    return 2;
  }
  std::vector<std::string> gateway_ids, input_ids;
  for (const auto& id : a.ids) {
    if (io::is_stream_id(id)) {
      gateway_ids.push_back(id);
    } else if (auto input = io::input_stream_id(id)) {
      input_ids.push_back(*input);
    } else {
      io.err << "hourglass dlq retry: '" << id
             << "' is not a dead letter id (ids look like 1735689600000-0, or input:1735689600000-0 for the "
                "input's; see hourglass dlq list)\n";
      return 2;
    }
  }
  // The API is needed for the gateway's entries only.
  const bool gateway = a.all || !gateway_ids.empty();
  if (!a.token_file.empty()) {
    try {
      a.config.api_token = service::read_token_file(a.token_file);
    } catch (const service::ConfigError& e) {
      return bad_config(io, "retry", {std::string("--api-token-file: ") + e.what()});
    }
  }
  if (!a.password_file.empty()) {
    try {
      a.config.api_password = service::read_password_file(a.password_file);
    } catch (const service::ConfigError& e) {
      return bad_config(io, "retry", {std::string("--api-password-file: ") + e.what()});
    }
  }
  io::RedisEndpoint endpoint;
  std::vector<std::string> settings{"redis_url", "input", "stream_key"};
  if (gateway)
    settings.insert(settings.end(), {"api_url", "api_auth", "api_token", "api_email", "api_password",
                                     "campaign_branches", "gateway_timeout"});
  if (auto problems = config_problems(a, settings, endpoint); !problems.empty())
    return bad_config(io, "retry", problems);

  const std::string stream = actors::kGatewayDeadLetterStream;
  const std::string input_stream = actors::kDeadLetterStream;
  std::vector<io::RetryResult> results;
  std::size_t gateway_results = 0;  // the first ones
  try {
    auto redis = io::RedisConnection::connect(endpoint, kRedisTimeout);
    const auto& c = a.config;
    if (gateway) {
      io::CampaignApiConfig api_config{c.api_url, c.api_token, c.gateway_timeout};
      api_config.auth = service::make_auth_session(c);
      io::CampaignApi api(api_config);
      io::RetryOptions options;
      options.force = a.force;
      options.campaign_branches = service::campaign_branches(c);
      results = a.all ? io::retry_all_dead_letters(redis, api, stream, options)
                      : io::retry_dead_letters(redis, api, stream, gateway_ids, options);
      gateway_results = results.size();
    }
    if (a.all || !input_ids.empty()) {
      // Back where the service reads it: its stream for SPEC §6's messages
      // when its input is the stream, else the message's channel.
      const io::InputTarget target{service::parse_input(c.input).stream, c.stream_key};
      auto more = a.all ? io::retry_all_input_dead_letters(redis, input_stream, target)
                        : io::retry_input_dead_letters(redis, input_stream, input_ids, target);
      results.insert(results.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    }
  } catch (const std::exception& e) {
    io.err << "hourglass dlq retry: " << e.what() << "\n";
    return 1;
  }
  if (results.empty()) {
    io.out << "no dead letters in " << stream << " nor " << input_stream << "\n";
    return 0;
  }
  std::size_t done = 0;
  bool kept_gateway = false, kept_input = false;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (r.done())
      ++done;
    else
      (i < gateway_results ? kept_gateway : kept_input) = true;
    io.out << io::to_string(r.status) << "  " << r.id << "  " << one_line(r.message) << "\n";
  }
  io.out << done << " of " << results.size() << " done";
  if (kept_gateway || kept_input)
    io.out << "; the others are kept in "
           << (kept_gateway && kept_input ? stream + " and " + input_stream : kept_gateway ? stream : input_stream);
  io.out << "\n";
  return done == results.size() ? 0 : 1;
}

// Only the settings these commands use; the token never as a flag (command
// lines are visible in ps).
void add_redis_flag(CLI::App& cmd, DlqArgs& a) {
  cmd.add_option("--redis-url", a.config.redis_url, "Redis URL (env REDIS_URL)");
}

}  // namespace

Command add_dlq_command(CLI::App& app, DlqIo io) {
  auto args = std::make_shared<DlqArgs>();
  try {
    args->config = service::config_from_env(io.getenv);
  } catch (const std::exception& e) {
    args->env_error = e.what();
  }
  CLI::App* dlq = app.add_subcommand("dlq", "Dead letters, the gateway's (" +
                                                std::string(actors::kGatewayDeadLetterStream) + ") and the input's (" +
                                                std::string(actors::kDeadLetterStream) + "): list, retry");
  dlq->require_subcommand(1);

  CLI::App* list = dlq->add_subcommand("list", "List the dead letters, oldest first");
  add_redis_flag(*list, *args);
  list->add_flag("--json", args->json, "one JSON object per line instead of a table");

  CLI::App* retry = dlq->add_subcommand(
      "retry", "Write the gateway's dead letters to the API again, send the input's back to the service's input; "
               "each is removed once done");
  retry->add_option("ids", args->ids, "ids of the dead letters to retry (as dlq list shows them)")->type_name("ID");
  retry->add_flag("--all", args->all, "retry every dead letter, the gateway's then the input's, oldest first");
  retry->add_flag("--force", args->force, "also retry effects that may already have run (check them first)");
  add_redis_flag(*retry, *args);
  retry->add_option("--api-url", args->config.api_url, "campaign API GraphQL URL (env API_URL)");
  retry->add_option("--api-token-file", args->token_file, "file holding the API token (env API_TOKEN_FILE or API_TOKEN)")
      ->type_name("FILE");
  retry->add_option("--api-auth", args->config.api_auth, "token|login (env API_AUTH)");
  retry->add_option("--api-email", args->config.api_email, "service account email, API_AUTH=login (env API_EMAIL)");
  retry->add_option("--api-password-file", args->password_file,
                    "file holding the service account's password (env API_PASSWORD_FILE)")
      ->type_name("FILE");
  service::add_campaign_branches_flag(*retry, args->config);
  retry->add_option("--input", args->config.input,
                    "the service's input, where an input dead letter is sent back (env HOURGLASS_INPUT)");
  retry->add_option("--stream-key", args->config.stream_key,
                    "the input stream, with --input stream (env HOURGLASS_STREAM_KEY)");
  retry->add_option_function<long long>(
           "--gateway-timeout-ms",
           [args](long long ms) { args->config.gateway_timeout = std::chrono::milliseconds(ms); },
           "API request timeout in ms (env GATEWAY_TIMEOUT_MS)")
      ->type_name("MS");

  return [=]() mutable {
    if (!dlq->parsed()) return -1;
    const char* command = list->parsed() ? "list" : "retry";
    if (!args->env_error.empty()) {
      io.err << "hourglass dlq " << command << ": " << args->env_error << "\n";
      return 2;
    }
    return list->parsed() ? run_list(io, *args) : run_retry(io, *args);
  };
}

Command add_dlq_command(CLI::App& app) {
  return add_dlq_command(app, DlqIo{[](const char* name) { return std::getenv(name); }, std::cout, std::cerr});
}

}  // namespace hourglass::runtime
