#include "http/router.h"

#include <algorithm>

namespace canopy::http {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path[0] != '/') return out;
  std::size_t pos = 1;
  while (true) {
    std::size_t slash = path.find('/', pos);
    out.push_back(path.substr(pos, slash == std::string_view::npos ? slash : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

}  // namespace

std::optional<std::map<std::string, std::string>> match_template(std::string_view tmpl,
                                                                 std::string_view path) {
  if (tmpl == "/" || path == "/") {
    if (tmpl == path) return std::map<std::string, std::string>{};
    return std::nullopt;
  }
  auto t = segments(tmpl), p = segments(path);
  if (t.size() != p.size() || p.empty()) return std::nullopt;
  std::map<std::string, std::string> params;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (p[i].empty()) return std::nullopt;
    if (t[i].size() > 2 && t[i].front() == '{' && t[i].back() == '}') {
      params[std::string(t[i].substr(1, t[i].size() - 2))] = std::string(p[i]);
    } else if (t[i] != p[i]) {
      return std::nullopt;
    }
  }
  return params;
}

void Router::add(Route route) { routes_.push_back(std::move(route)); }

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  const std::string_view as = method == "HEAD" ? "GET" : method;
  for (const Route& r : routes_) {
    auto params = match_template(r.path, path);
    if (!params) continue;
    if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end())
      m.allowed.push_back(r.method);
    if (r.method == "GET" && std::find(m.allowed.begin(), m.allowed.end(), "HEAD") == m.allowed.end())
      m.allowed.push_back("HEAD");
    if (!m.route && r.method == as) {
      m.route = &r;
      m.path_params = std::move(*params);
    }
  }
  return m;
}

}  // namespace canopy::http
