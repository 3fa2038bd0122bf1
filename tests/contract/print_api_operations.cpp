// Prints every GraphQL operation Hourglass sends (io/api_operations.hpp) as
// a JSON array of {name, text}, for the contract test to validate against
// the campaign API's schema.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "io/api_operations.hpp"

int main() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto* op : hourglass::io::api_ops::kAll)
    out.push_back({{"name", std::string(op->name)}, {"text", std::string(op->text)}});
  std::cout << out.dump(2) << "\n";
  return 0;
}
