#include "store/rollup.h"

#include <cmath>
#include <cstring>

namespace canopy::store {
namespace {

// Encoding writes into a fixed buffer (the largest bucket is 670 bytes);
// little-endian hosts only (x86-64, aarch64).
constexpr std::size_t kMaxEncoded = 22 + 108 * kSeriesFieldCount;
template <typename T>
void put(char*& out, T v) {
  std::memcpy(out, &v, sizeof(T));
  out += sizeof(T);
}
template <typename T>
bool get(std::span<const std::uint8_t>& in, T& v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(&v, in.data(), sizeof(T));
  in = in.subspan(sizeof(T));
  return true;
}
void put_point(char*& out, const RollupPoint& p) {
  put(out, p.value);
  put(out, p.ts_ms);
  put(out, p.step);
  put(out, p.epoch);
}
bool get_point(std::span<const std::uint8_t>& in, RollupPoint& p) {
  return get(in, p.value) && get(in, p.ts_ms) && get(in, p.step) && get(in, p.epoch);
}

}  // namespace

SeriesPoint RollupPoint::to_series_point() const {
  SeriesPoint s;
  s.timestamp = Timestamp(std::chrono::milliseconds(ts_ms));
  s.step = step;
  if (epoch != kNoEpoch) s.epoch = epoch;
  s.value = value;
  return s;
}

void FieldAgg::add(const RollupPoint& p) {
  if (count == 0) {
    min = max = first = last = p;
  } else {
    if (p.value < min.value) min = p;
    if (p.value > max.value) max = p;
    last = p;
  }
  ++count;
  sum += p.value;
}

void FieldAgg::add_earlier(const RollupPoint& p) {
  if (count == 0) {
    min = max = first = last = p;
  } else {
    if (p.value <= min.value) min = p;
    if (p.value >= max.value) max = p;
    first = p;
  }
  ++count;
  sum += p.value;
}

void FieldAgg::merge_later(const FieldAgg& o) {
  if (o.count == 0) return;
  if (count == 0) {
    *this = o;
    return;
  }
  if (o.min.value < min.value) min = o.min;
  if (o.max.value > max.value) max = o.max;
  last = o.last;
  count += o.count;
  sum += o.sum;
}

std::optional<double> field_value(const Metric& m, int index) {
  std::optional<double> v;
  switch (index) {
    case 0: v = m.train_loss; break;
    case 1: v = m.train_accuracy; break;
    case 2: v = m.val_loss; break;
    case 3: v = m.val_accuracy; break;
    case 4: v = m.learning_rate; break;
    case 5:
      if (m.hidden_units) v = *m.hidden_units;
      break;
    default: break;
  }
  if (v && std::isnan(*v)) return std::nullopt;
  return v;
}

RollupPoint point_of(const Metric& m, double value) {
  RollupPoint p;
  p.value = value;
  p.ts_ms = m.timestamp ? m.timestamp->time_since_epoch().count() : 0;
  p.step = m.step.value_or(0);
  p.epoch = m.epoch.value_or(kNoEpoch);
  return p;
}

void BucketAgg::clear() {
  rows = 0;
  ts_min = ts_max = 0;
  for (FieldAgg& f : fields) {
    f.count = 0;
    f.sum = 0;
  }
}

void BucketAgg::add(const Metric& m) {
  // The writer's hot path: the key is read once, not once per field, and
  // each field is updated in place (FieldAgg::add is the same, out of line).
  RollupPoint p;
  p.ts_ms = m.timestamp ? m.timestamp->time_since_epoch().count() : 0;
  p.step = m.step.value_or(0);
  p.epoch = m.epoch.value_or(kNoEpoch);
  if (rows == 0 || p.ts_ms < ts_min) ts_min = p.ts_ms;
  if (rows == 0 || p.ts_ms > ts_max) ts_max = p.ts_ms;
  ++rows;
  auto put_value = [&p](FieldAgg& f, double v) {
    if (std::isnan(v)) return;
    p.value = v;
    if (f.count == 0) {
      f.min = f.max = f.first = p;
      f.sum = 0;
    } else if (v < f.min.value) {
      f.min = p;
    } else if (v > f.max.value) {
      f.max = p;
    }
    f.last = p;
    ++f.count;
    f.sum += v;
  };
  if (m.train_loss) put_value(fields[0], *m.train_loss);
  if (m.train_accuracy) put_value(fields[1], *m.train_accuracy);
  if (m.val_loss) put_value(fields[2], *m.val_loss);
  if (m.val_accuracy) put_value(fields[3], *m.val_accuracy);
  if (m.learning_rate) put_value(fields[4], *m.learning_rate);
  if (m.hidden_units) put_value(fields[5], *m.hidden_units);
}

void BucketAgg::add_earlier(const Metric& m) {
  const std::int64_t ts = m.timestamp ? m.timestamp->time_since_epoch().count() : 0;
  if (rows == 0 || ts < ts_min) ts_min = ts;
  if (rows == 0 || ts > ts_max) ts_max = ts;
  ++rows;
  for (int i = 0; i < kSeriesFieldCount; ++i) {
    if (auto v = field_value(m, i)) fields[i].add_earlier(point_of(m, *v));
  }
}

void BucketAgg::merge_later(const BucketAgg& o) {
  if (o.rows == 0) return;
  if (rows == 0) {
    *this = o;
    return;
  }
  ts_min = std::min(ts_min, o.ts_min);
  ts_max = std::max(ts_max, o.ts_max);
  rows += o.rows;
  for (int i = 0; i < kSeriesFieldCount; ++i) fields[i].merge_later(o.fields[i]);
}

namespace {

// Appends the version-1 encoding of `b`, with only the fields in `keep`.
void encode_into(const BucketAgg& b, std::uint8_t keep, std::string& dst) {
  char buf[kMaxEncoded];
  char* out = buf;
  std::uint8_t mask = 0;
  for (int i = 0; i < kSeriesFieldCount; ++i)
    if (b.fields[i].count > 0 && (keep & (1u << i))) mask |= static_cast<std::uint8_t>(1u << i);
  put<std::uint8_t>(out, 1);
  put<std::uint8_t>(out, mask);
  put<std::uint32_t>(out, b.rows);
  put(out, b.ts_min);
  put(out, b.ts_max);
  for (int i = 0; i < kSeriesFieldCount; ++i) {
    if (!(mask & (1u << i))) continue;
    const FieldAgg& f = b.fields[i];
    put<std::uint32_t>(out, static_cast<std::uint32_t>(f.count));
    put(out, f.sum);
    put_point(out, f.min);
    put_point(out, f.max);
    put_point(out, f.first);
    put_point(out, f.last);
  }
  dst.append(buf, out);
}

// Decodes one bucket from the front of `in` and consumes it.
bool decode_prefix(std::span<const std::uint8_t>& in, BucketAgg& b) {
  b = BucketAgg{};
  std::uint8_t version = 0, mask = 0;
  if (!get(in, version) || version != 1 || !get(in, mask)) return false;
  if (mask >> kSeriesFieldCount) return false;
  if (!get(in, b.rows) || !get(in, b.ts_min) || !get(in, b.ts_max)) return false;
  for (int i = 0; i < kSeriesFieldCount; ++i) {
    if (!(mask & (1u << i))) continue;
    FieldAgg& f = b.fields[i];
    std::uint32_t count = 0;
    if (!get(in, count) || count == 0 || !get(in, f.sum)) return false;
    f.count = count;
    if (!get_point(in, f.min) || !get_point(in, f.max) || !get_point(in, f.first) || !get_point(in, f.last))
      return false;
  }
  return true;
}

constexpr std::uint8_t kChunkV2 = 2;  // read only
constexpr std::uint8_t kChunkVersion = 3;
// The largest version-3 bucket: 4 varints, sum, flags, 4 points.
constexpr std::size_t kMaxChunkBucket = 4 * 10 + 8 + 1 + 4 * (8 + 3 * 10);

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}
void put_varint(char*& out, std::uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
}
bool get_varint(std::span<const std::uint8_t>& in, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const std::uint8_t b = in[0];
    in = in.subspan(1);
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}
// Differences in wrapping arithmetic: no overflow whatever the values.
std::int64_t minus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t plus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
bool same_metric(const RollupPoint& a, const RollupPoint& b) { return a.ts_ms == b.ts_ms && a.step == b.step; }

struct PointCodec {
  std::int64_t step = 0, epoch = 0;  // of the previous point

  void write(char*& out, const RollupPoint& p, std::int64_t ts_min) {
    put(out, p.value);
    put_varint(out, zigzag(minus(p.ts_ms, ts_min)));
    put_varint(out, zigzag(minus(p.step, step)));
    put_varint(out, zigzag(minus(p.epoch, epoch)));
    step = p.step;
    epoch = p.epoch;
  }
  bool read(std::span<const std::uint8_t>& in, RollupPoint& p, std::int64_t ts_min) {
    std::uint64_t ts = 0, ds = 0, de = 0;
    if (!get(in, p.value) || !get_varint(in, ts) || !get_varint(in, ds) || !get_varint(in, de)) return false;
    p.ts_ms = plus(ts_min, unzigzag(ts));
    const std::int64_t s = plus(step, unzigzag(ds)), e = plus(epoch, unzigzag(de));
    if (s < INT32_MIN || s > INT32_MAX || e < INT32_MIN || e > INT32_MAX) return false;
    p.step = static_cast<std::int32_t>(s);
    p.epoch = static_cast<std::int32_t>(e);
    step = s;
    epoch = e;
    return true;
  }
};

void encode_chunk_bucket(char*& out, const BucketAgg& b, int field, std::int64_t& prev_ts, PointCodec& points) {
  put_varint(out, b.rows);
  put_varint(out, zigzag(minus(b.ts_min, prev_ts)));
  put_varint(out, zigzag(minus(b.ts_max, b.ts_min)));
  prev_ts = b.ts_min;
  const FieldAgg& f = b.fields[field];
  put_varint(out, f.count);
  if (f.count == 0) return;
  put(out, f.sum);
  std::uint8_t flags = 0;
  if (same_metric(f.first, f.min)) flags |= 1;
  else if (same_metric(f.first, f.max)) flags |= 2;
  if (same_metric(f.last, f.min)) flags |= 4;
  else if (same_metric(f.last, f.max)) flags |= 8;
  put(out, flags);
  points.write(out, f.min, b.ts_min);
  points.write(out, f.max, b.ts_min);
  if (!(flags & 3)) points.write(out, f.first, b.ts_min);
  if (!(flags & 12)) points.write(out, f.last, b.ts_min);
}

bool decode_chunk_bucket(std::span<const std::uint8_t>& in, BucketAgg& b, int field, std::int64_t& prev_ts,
                         PointCodec& points) {
  b = BucketAgg{};
  std::uint64_t rows = 0, ts_min = 0, span = 0, count = 0;
  if (!get_varint(in, rows) || rows > UINT32_MAX || !get_varint(in, ts_min) || !get_varint(in, span) ||
      !get_varint(in, count) || count > rows)
    return false;
  b.rows = static_cast<std::uint32_t>(rows);
  b.ts_min = plus(prev_ts, unzigzag(ts_min));
  b.ts_max = plus(b.ts_min, unzigzag(span));
  prev_ts = b.ts_min;
  if (count == 0) return true;
  FieldAgg& f = b.fields[field];
  f.count = count;
  std::uint8_t flags = 0;
  if (!get(in, f.sum) || !get(in, flags) || (flags & ~0x0f) || (flags & 3) == 3 || (flags & 12) == 12)
    return false;
  if (!points.read(in, f.min, b.ts_min) || !points.read(in, f.max, b.ts_min)) return false;
  if (flags & 3) f.first = (flags & 1) ? f.min : f.max;
  else if (!points.read(in, f.first, b.ts_min)) return false;
  if (flags & 12) f.last = (flags & 4) ? f.min : f.max;
  else if (!points.read(in, f.last, b.ts_min)) return false;
  return true;
}
}  // namespace

std::string encode_bucket(const BucketAgg& b) {
  std::string out;
  encode_into(b, 0xff, out);
  return out;
}

bool decode_bucket(std::span<const std::uint8_t> in, BucketAgg& b) { return decode_prefix(in, b) && in.empty(); }

std::string encode_chunk(int field, std::span<const BucketAgg* const> buckets) {
  // On the stack: a zero-filled string of the largest size cost more than
  // the encoding (a chunk is ~1 kB, its bound 3 kB).
  char stack[3 + kChunkBuckets * kMaxChunkBucket];
  std::vector<char> heap;
  char* const start = buckets.size() <= static_cast<std::size_t>(kChunkBuckets)
                          ? stack
                          : (heap.resize(3 + buckets.size() * kMaxChunkBucket), heap.data());
  char* p = start;
  put(p, kChunkVersion);
  put(p, static_cast<std::uint8_t>(field));
  put(p, static_cast<std::uint8_t>(buckets.size()));
  std::int64_t prev_ts = 0;
  PointCodec points;
  for (const BucketAgg* b : buckets) encode_chunk_bucket(p, *b, field, prev_ts, points);
  return std::string(start, p);
}

bool decode_chunk(std::span<const std::uint8_t> in, int field, std::vector<BucketAgg>& out) {
  out.clear();
  std::uint8_t version = 0, f = 0, n = 0;
  if (!get(in, version) || (version != kChunkVersion && version != kChunkV2) || !get(in, f) || f != field ||
      !get(in, n))
    return false;
  out.resize(n);
  if (version == kChunkV2) {
    for (BucketAgg& b : out)
      if (!decode_prefix(in, b)) return false;
    return in.empty();
  }
  std::int64_t prev_ts = 0;
  PointCodec points;
  for (BucketAgg& b : out)
    if (!decode_chunk_bucket(in, b, field, prev_ts, points)) return false;
  return in.empty();
}

}  // namespace canopy::store
