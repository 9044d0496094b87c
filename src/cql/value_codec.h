// Serialization of CQL values (spec section 6) to and from cell bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cql/errors.h"
#include "cql/types.h"
#include "cql/value.h"

namespace cql {

// Appends v as a [value] (int length + bytes; -1 NULL; -2 UNSET). With a
// type, converts compatible kinds to it (see value.h) and refuses others;
// without, encodes v as its own kind. On failure returns a message and
// leaves out unspecified.
std::optional<std::string> PutValue(std::string& out, const Value& v, const DataType* type);

// Appends only the cell bytes of a non-null value (no length prefix).
std::optional<std::string> PutCell(std::string& out, const Value& v, const DataType* type);

// Decodes the cell bytes of a non-null cell of the given type. Collections,
// tuples and UDTs recurse (depth-limited). False on malformed bytes.
bool DecodeCell(const DataType& type, std::string_view cell, Value& out, int depth = 0);

// The type a Value encodes as when no type is known (collections take the
// type of their first element; empty ones blob).
DataType NaturalType(const Value& v);

}  // namespace cql
