#include "store/metric_record.h"

#include <bit>
#include <cstring>

namespace canopy::store {
namespace {

template <typename T>
void put(std::uint8_t*& p, T v) {
  static_assert(std::endian::native == std::endian::little, "spool encoding assumes little-endian");
  std::memcpy(p, &v, sizeof v);
  p += sizeof v;
}
template <typename T>
T get(const std::uint8_t*& p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  p += sizeof v;
  return v;
}

}  // namespace

void encode_metric_record(const MetricRecord& r, std::uint8_t* out) {
  const Metric& m = r.metric;
  std::uint16_t bits = 0;
  if (m.epoch) bits |= 1u << 0;
  if (m.train_loss) bits |= 1u << 1;
  if (m.train_accuracy) bits |= 1u << 2;
  if (m.val_loss) bits |= 1u << 3;
  if (m.val_accuracy) bits |= 1u << 4;
  if (m.learning_rate) bits |= 1u << 5;
  if (m.hidden_units) bits |= 1u << 6;
  std::uint8_t* p = out;
  put<std::uint8_t>(p, 2);
  put<std::uint8_t>(p, 0);
  put<std::uint16_t>(p, bits);
  put<std::uint64_t>(p, r.seq);
  std::memcpy(p, r.run_id.bytes().data(), 16);
  p += 16;
  put<std::int64_t>(p, m.timestamp ? m.timestamp->time_since_epoch().count() : 0);
  put<std::int32_t>(p, m.step.value_or(0));
  put<std::int32_t>(p, m.epoch.value_or(0));
  put<std::int32_t>(p, m.hidden_units.value_or(0));
  put<double>(p, m.train_loss.value_or(0));
  put<double>(p, m.train_accuracy.value_or(0));
  put<double>(p, m.val_loss.value_or(0));
  put<double>(p, m.val_accuracy.value_or(0));
  put<double>(p, m.learning_rate.value_or(0));
  put<std::int64_t>(p, r.write_time_us);
  std::memcpy(p, r.ledger_id.bytes().data(), 16);
  p += 16;
  put<std::uint64_t>(p, r.ordinal);
}

bool decode_metric_record(std::span<const std::uint8_t> in, MetricRecord& r) {
  const bool v1 = in.size() == kMetricRecordV1Size && in[0] == 1;
  const bool v2 = in.size() == kMetricRecordSize && in[0] == 2;
  if (!v1 && !v2) return false;
  const std::uint8_t* p = in.data() + 2;
  auto bits = get<std::uint16_t>(p);
  r.seq = get<std::uint64_t>(p);
  std::array<std::uint8_t, 16> id{};
  std::memcpy(id.data(), p, 16);
  p += 16;
  r.run_id = Uuid(id);
  Metric m;
  m.timestamp = Timestamp(std::chrono::milliseconds(get<std::int64_t>(p)));
  m.step = get<std::int32_t>(p);
  auto epoch = get<std::int32_t>(p);
  auto hidden = get<std::int32_t>(p);
  double d[5];
  for (double& x : d) x = get<double>(p);
  r.write_time_us = get<std::int64_t>(p);
  r.ledger_id = Uuid();
  r.ordinal = 0;
  if (v2) {
    std::memcpy(id.data(), p, 16);
    p += 16;
    r.ledger_id = Uuid(id);
    r.ordinal = get<std::uint64_t>(p);
  }
  if (bits & (1u << 0)) m.epoch = epoch;
  if (bits & (1u << 1)) m.train_loss = d[0];
  if (bits & (1u << 2)) m.train_accuracy = d[1];
  if (bits & (1u << 3)) m.val_loss = d[2];
  if (bits & (1u << 4)) m.val_accuracy = d[3];
  if (bits & (1u << 5)) m.learning_rate = d[4];
  if (bits & (1u << 6)) m.hidden_units = hidden;
  r.metric = m;
  return true;
}

}  // namespace canopy::store
