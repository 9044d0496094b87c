// The OpenAPI 3.1 document of the read API (src/http/openapi.json, compiled
// into the binary), served at /api/openapi.json. tests/http/router_test.cc
// checks that its paths and parameters are exactly the router's.
#pragma once

#include <string_view>

namespace canopy::http {

std::string_view openapi_document();

}  // namespace canopy::http
