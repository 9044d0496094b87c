// GET /api/health, /api/openapi.json, and the web page: `/` and its assets
// from the table the web page's build generates (http/web_assets.h), or,
// until that exists, a small page listing the API.
#include "canopy/errors.h"
#include "http/api.h"
#include "http/openapi.h"
#include "json/text.h"

#if CANOPY_HTTP_WEB_ASSETS
#include "http/web_assets.h"
#endif

namespace canopy::http {
namespace {

void health(ApiContext& api, Call& call) {
  json::Json body;
  int status = 200;
  try {
    api.store.list_runs(1);
    body["status"] = "ok";
  } catch (const Error& e) {
    status = 503;
    body["status"] = "unavailable";
    body["error"] = e.what();
  }
  body["backend"] = api.store.describe();
  body["counters"] = json::counters_to_json(api.store.counters());
  body["event_streams"] = api.streams.load();
  send_json(call.res, status, body);
}

std::string index_page(const Router& router) {
  std::string rows;
  for (const Route& r : router.routes()) {
    if (r.path.rfind("/api/", 0) != 0) continue;
    rows += "<li><code>" + r.method + " " + json::xml_escape(r.path) + "</code></li>\n";
  }
  return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Canopy Store</title></head>\n"
         "<body><h1>Canopy Store</h1>\n<p>The read API (<a href=\"/api/openapi.json\">OpenAPI "
         "document</a>):</p>\n<ul>\n" +
         rows + "</ul>\n</body></html>\n";
}

}  // namespace

void add_meta_routes(Router& router, ApiContext& api) {
  router.add({"GET", "/api/health", {}, [&api](Call& call) { health(api, call); }});
  router.add({"GET", "/api/openapi.json", {}, [](Call& call) {
                call.res.set_content(std::string(openapi_document()), "application/json");
              }});
  bool have_index = false;
#if CANOPY_HTTP_WEB_ASSETS
  for (const WebAsset& asset : web_assets()) {
    const std::string path(asset.path);
    have_index = have_index || path == "/";
    // The page itself is re-read on every visit; its assets have
    // content-hashed names and never change.
    const bool page = path == "/" || path == "/index.html";
    router.add({"GET", path, {}, [asset, page](Call& call) {
                  call.res.set_header("Cache-Control", page ? "no-cache" : "public, max-age=31536000, immutable");
                  call.res.set_content(asset.body.data(), asset.body.size(), std::string(asset.content_type));
                }});
  }
#endif
  if (!have_index)
    router.add({"GET", "/", {}, [&api](Call& call) {
                  call.res.set_content(index_page(api.router), "text/html; charset=utf-8");
                }});
}

}  // namespace canopy::http
