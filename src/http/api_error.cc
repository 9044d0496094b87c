#include "http/api_error.h"

#include "canopy/errors.h"

namespace canopy::http {

ApiError bad_parameter(const std::string& parameter, const std::string& value, const std::string& why) {
  return ApiError(400, "bad_parameter", parameter + ": '" + value + "' " + why, parameter);
}

ApiError run_not_found(const std::string& run_id, const std::string& parameter) {
  return ApiError(404, "run_not_found", "run " + run_id + " not found", parameter, "Run not found");
}

ApiError from_store_error(const canopy::Error& e) {
  if (dynamic_cast<const InvalidArgument*>(&e)) return ApiError(400, "bad_parameter", e.what());
  if (dynamic_cast<const NotFound*>(&e)) return ApiError(404, "not_found", e.what());
  if (dynamic_cast<const SpoolError*>(&e)) return ApiError(507, "spool_failed", e.what());
  return ApiError(503, "backend_unavailable", e.what());
}

nlohmann::ordered_json error_json(const ApiError& e) {
  nlohmann::ordered_json j;
  j["detail"] = e.detail();
  j["error"]["code"] = e.code();
  j["error"]["message"] = e.what();
  j["error"]["parameter"] = e.parameter().empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.parameter());
  return j;
}

}  // namespace canopy::http
