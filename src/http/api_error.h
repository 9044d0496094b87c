// The read API's errors: every answer other than 2xx carries
//   {"detail": "...", "error": {"code": "...", "message": "...", "parameter": name|null}}
// (`detail` keeps dashboards written for the Canopy Manual's FastAPI working;
// it equals `message` except for "Run not found" and "Invalid UUID").
// Client mistakes are 4xx naming the parameter and value; a failing backend
// is 503; nothing the client sends may produce a 500.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace canopy {
class Error;
}

namespace canopy::http {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message, std::string parameter = "",
           std::string detail = "")
      : std::runtime_error(message),
        status_(status),
        code_(std::move(code)),
        parameter_(std::move(parameter)),
        detail_(detail.empty() ? message : std::move(detail)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& parameter() const { return parameter_; }
  const std::string& detail() const { return detail_; }

 private:
  int status_;
  std::string code_;
  std::string parameter_;
  std::string detail_;
};

// 400 bad_parameter: "<parameter>: '<value>' <why>".
ApiError bad_parameter(const std::string& parameter, const std::string& value, const std::string& why);
// 404 run_not_found, detail "Run not found".
ApiError run_not_found(const std::string& run_id, const std::string& parameter = "run_id");

// The store's exceptions as answers: InvalidArgument → 400, NotFound → 404,
// BackendError (Unavailable, Timeout, ...) and FlushError → 503, SpoolError → 507.
ApiError from_store_error(const canopy::Error& e);

nlohmann::ordered_json error_json(const ApiError& e);

}  // namespace canopy::http
