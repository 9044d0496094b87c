// The read API's route table: path templates as in the OpenAPI document
// ("/api/runs/{run_id}/series"), each with its methods. Matching tells apart
// an unknown path (404) from a known path asked with another method (405,
// with the methods it has). Pure; unit-tested in tests/http/router_test.cc.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace canopy::http {

struct Call;  // server.h: one request being answered
using Handler = std::function<void(Call&)>;

struct Route {
  std::string method;       // "GET", "POST"; GET routes answer HEAD too
  std::string path;         // template, "{name}" = one path segment
  std::vector<std::string> query;  // the query parameters it takes (others → 400)
  Handler handler;
};

struct RouteMatch {
  const Route* route = nullptr;                  // null: no route for this method
  std::map<std::string, std::string> path_params;  // {name} → segment
  std::vector<std::string> allowed;              // methods the path has (empty: unknown path)
};

class Router {
 public:
  void add(Route route);
  RouteMatch match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Binds `path` to `tmpl`; nullopt when they differ in shape. Segments are
// never empty ("/api/runs//x" matches nothing).
std::optional<std::map<std::string, std::string>> match_template(std::string_view tmpl,
                                                                 std::string_view path);

}  // namespace canopy::http
