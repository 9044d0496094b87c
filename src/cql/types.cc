#include "cql/types.h"

namespace cql {

bool DataType::is_duration() const {
  return id == TypeId::kDuration ||
         (id == TypeId::kCustom && custom_class == "org.apache.cassandra.db.marshal.DurationType");
}

std::string DataType::to_string() const {
  auto child = [&](size_t i) { return i < children.size() ? children[i].to_string() : std::string("?"); };
  switch (id) {
    case TypeId::kCustom: return is_duration() ? "duration" : "'" + custom_class + "'";
    case TypeId::kAscii: return "ascii";
    case TypeId::kBigint: return "bigint";
    case TypeId::kBlob: return "blob";
    case TypeId::kBoolean: return "boolean";
    case TypeId::kCounter: return "counter";
    case TypeId::kDecimal: return "decimal";
    case TypeId::kDouble: return "double";
    case TypeId::kFloat: return "float";
    case TypeId::kInt: return "int";
    case TypeId::kTimestamp: return "timestamp";
    case TypeId::kUuid: return "uuid";
    case TypeId::kVarchar: return "text";
    case TypeId::kVarint: return "varint";
    case TypeId::kTimeuuid: return "timeuuid";
    case TypeId::kInet: return "inet";
    case TypeId::kDate: return "date";
    case TypeId::kTime: return "time";
    case TypeId::kSmallint: return "smallint";
    case TypeId::kTinyint: return "tinyint";
    case TypeId::kDuration: return "duration";
    case TypeId::kList: return "list<" + child(0) + ">";
    case TypeId::kSet: return "set<" + child(0) + ">";
    case TypeId::kMap: return "map<" + child(0) + ", " + child(1) + ">";
    case TypeId::kUdt: return udt_keyspace + "." + udt_name;
    case TypeId::kTuple: {
      std::string s = "tuple<";
      for (size_t i = 0; i < children.size(); ++i) s += (i ? ", " : "") + children[i].to_string();
      return s + ">";
    }
  }
  return "unknown";
}

bool operator==(const DataType& a, const DataType& b) {
  return a.id == b.id && a.custom_class == b.custom_class && a.udt_keyspace == b.udt_keyspace &&
         a.udt_name == b.udt_name && a.field_names == b.field_names && a.children == b.children;
}

}  // namespace cql
