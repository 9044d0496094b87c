// CQL data types as described by the [option] of result and prepared
// metadata (native protocol v4, section 4.2.5.2).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cql {

enum class TypeId : uint16_t {
  kCustom = 0x0000,
  kAscii = 0x0001,
  kBigint = 0x0002,
  kBlob = 0x0003,
  kBoolean = 0x0004,
  kCounter = 0x0005,
  kDecimal = 0x0006,
  kDouble = 0x0007,
  kFloat = 0x0008,
  kInt = 0x0009,
  kTimestamp = 0x000B,
  kUuid = 0x000C,
  kVarchar = 0x000D,  // also "text"
  kVarint = 0x000E,
  kTimeuuid = 0x000F,
  kInet = 0x0010,
  kDate = 0x0011,
  kTime = 0x0012,
  kSmallint = 0x0013,
  kTinyint = 0x0014,
  kDuration = 0x0015,  // v5 id; in v4 Cassandra sends Custom "...DurationType"
  kList = 0x0020,
  kMap = 0x0021,
  kSet = 0x0022,
  kUdt = 0x0030,
  kTuple = 0x0031,
};

// A possibly nested type. Children: list/set element; map key, value;
// tuple components; UDT field types (field_names parallel to them).
struct DataType {
  TypeId id = TypeId::kBlob;
  std::string custom_class;  // kCustom only
  std::string udt_keyspace;  // kUdt only
  std::string udt_name;      // kUdt only
  std::vector<std::string> field_names;  // kUdt only
  std::vector<DataType> children;

  // A Custom type whose class is DurationType is treated as kDuration.
  bool is_duration() const;
  // CQL spelling, e.g. "map<text, list<int>>".
  std::string to_string() const;
};

bool operator==(const DataType& a, const DataType& b);

// Column of a result or of the bind markers of a prepared statement.
struct ColumnSpec {
  std::string keyspace;
  std::string table;
  std::string name;
  DataType type;
};

}  // namespace cql
