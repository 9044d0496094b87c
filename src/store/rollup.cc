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

constexpr std::uint8_t kChunkVersion = 2;

}  // namespace

std::string encode_bucket(const BucketAgg& b) {
  std::string out;
  encode_into(b, 0xff, out);
  return out;
}

bool decode_bucket(std::span<const std::uint8_t> in, BucketAgg& b) { return decode_prefix(in, b) && in.empty(); }

std::string encode_chunk(int field, std::span<const BucketAgg* const> buckets) {
  std::string out;
  out.reserve(3 + buckets.size() * (22 + 108));
  out.push_back(static_cast<char>(kChunkVersion));
  out.push_back(static_cast<char>(field));
  out.push_back(static_cast<char>(buckets.size()));
  for (const BucketAgg* b : buckets) encode_into(*b, static_cast<std::uint8_t>(1u << field), out);
  return out;
}

bool decode_chunk(std::span<const std::uint8_t> in, int field, std::vector<BucketAgg>& out) {
  out.clear();
  std::uint8_t version = 0, f = 0, n = 0;
  if (!get(in, version) || version != kChunkVersion || !get(in, f) || f != field || !get(in, n)) return false;
  out.resize(n);
  for (BucketAgg& b : out)
    if (!decode_prefix(in, b)) return false;
  return in.empty();
}

}  // namespace canopy::store
