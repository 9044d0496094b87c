// Seed inputs for the CQL fuzz targets, built with the codec's own encoders
// from the spec's shapes, so the replay binaries exercise real frames even
// without a corpus directory.
#pragma once

#include <string>
#include <vector>

#include "cql/coding.h"
#include "cql/compression.h"
#include "cql/frame.h"

namespace cql_fuzz {

inline std::string ResponseFrame(cql::Opcode op, const std::string& body, uint8_t flags = 0) {
  std::string out;
  cql::FrameHeader h;
  h.version = 0x84;
  h.flags = flags;
  h.stream = 1;
  h.opcode = op;
  h.length = static_cast<uint32_t>(body.size());
  cql::PutFrameHeader(out, h);
  return out + body;
}

// RESULT bodies (no frame header): rows with many types, prepared, schema change.
inline std::vector<std::string> ResultBodies() {
  using namespace cql;
  std::vector<std::string> seeds;
  std::string rows;
  PutI32(rows, 2);
  PutI32(rows, 0x03);
  PutI32(rows, 3);
  PutBytes(rows, "PS");
  PutString(rows, "ks");
  PutString(rows, "t");
  PutString(rows, "a");
  PutU16(rows, 0x09);
  PutString(rows, "m");
  PutU16(rows, 0x21);
  PutU16(rows, 0x0d);
  PutU16(rows, 0x20);
  PutU16(rows, 0x02);
  PutString(rows, "u");
  PutU16(rows, 0x30);
  PutString(rows, "ks");
  PutString(rows, "p");
  PutU16(rows, 2);
  PutString(rows, "x");
  PutU16(rows, 0x31);
  PutU16(rows, 2);
  PutU16(rows, 0x0c);
  PutU16(rows, 0x10);
  PutString(rows, "y");
  PutU16(rows, 0x00);
  PutString(rows, "org.apache.cassandra.db.marshal.DurationType");
  PutI32(rows, 1);
  PutBytes(rows, std::string("\0\0\0\x05", 4));
  std::string map;
  PutI32(map, 1);
  PutBytes(map, "k");
  std::string list;
  PutI32(list, 1);
  PutBytes(list, std::string(8, '\1'));
  PutBytes(map, list);
  PutBytes(rows, map);
  std::string udt;
  std::string tuple;
  PutBytes(tuple, std::string(16, '\2'));
  PutBytes(tuple, std::string("\x7f\0\0\1", 4));
  PutBytes(udt, tuple);
  PutBytes(udt, std::string("\x02\x01\x04", 3));
  PutBytes(rows, udt);
  seeds.push_back(rows);

  std::string prepared;
  PutI32(prepared, 4);
  PutShortBytes(prepared, "\xab\xcd");
  PutI32(prepared, 1);
  PutI32(prepared, 1);
  PutI32(prepared, 1);
  PutU16(prepared, 0);
  PutString(prepared, "ks");
  PutString(prepared, "t");
  PutString(prepared, "k");
  PutU16(prepared, 0x02);
  PutI32(prepared, 4);
  PutI32(prepared, 0);
  seeds.push_back(prepared);

  std::string schema;
  PutI32(schema, 5);
  PutString(schema, "CREATED");
  PutString(schema, "FUNCTION");
  PutString(schema, "ks");
  PutString(schema, "f");
  PutStringList(schema, {"int"});
  seeds.push_back(schema);
  std::string ks;
  PutI32(ks, 3);
  PutString(ks, "ks");
  seeds.push_back(ks);
  return seeds;
}

// Whole response frames of every opcode.
inline std::vector<std::string> FrameSeeds() {
  using namespace cql;
  std::vector<std::string> seeds;
  for (const auto& body : ResultBodies()) seeds.push_back(ResponseFrame(Opcode::kResult, body));
  std::string err;
  PutI32(err, 0x1100);
  PutString(err, "timeout");
  PutU16(err, 4);
  PutI32(err, 1);
  PutI32(err, 2);
  PutString(err, "SIMPLE");
  seeds.push_back(ResponseFrame(Opcode::kError, err));
  std::string unavailable;
  PutI32(unavailable, 0x1000);
  PutString(unavailable, "u");
  PutU16(unavailable, 5);
  PutI32(unavailable, 3);
  PutI32(unavailable, 1);
  seeds.push_back(ResponseFrame(Opcode::kError, unavailable));
  std::string ev;
  PutString(ev, "STATUS_CHANGE");
  PutString(ev, "UP");
  ev += std::string("\x04\x7f\0\0\x01\0\0\x23\x52", 9);
  std::string ev_frame = ResponseFrame(Opcode::kEvent, ev);
  ev_frame[2] = ev_frame[3] = '\xff';
  seeds.push_back(ev_frame);
  std::string auth;
  PutString(auth, "org.apache.cassandra.auth.PasswordAuthenticator");
  seeds.push_back(ResponseFrame(Opcode::kAuthenticate, auth));
  std::string supported;
  PutU16(supported, 1);
  PutString(supported, "COMPRESSION");
  PutStringList(supported, {"lz4", "snappy"});
  seeds.push_back(ResponseFrame(Opcode::kSupported, supported));
  seeds.push_back(ResponseFrame(Opcode::kReady, ""));
  std::string token;
  PutBytes(token, "tok");
  seeds.push_back(ResponseFrame(Opcode::kAuthSuccess, token));
  std::string warned;
  PutStringList(warned, {"Batch too large"});
  PutI32(warned, 1);
  seeds.push_back(ResponseFrame(Opcode::kResult, warned, kFlagWarning));
  std::string z;
  Lz4CompressBody(z, ResultBodies()[0]);
  seeds.push_back(ResponseFrame(Opcode::kResult, z, kFlagCompression));
  return seeds;
}

}  // namespace cql_fuzz
