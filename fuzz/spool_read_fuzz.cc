// libFuzzer target: the spool reader on an arbitrary segment file, as a
// crash could leave one (torn record, garbage block, zeroed tail). Every
// record it returns is decoded as a metric record. Reading must neither
// crash nor throw, must stay inside the file, and must make progress.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <unistd.h>

#include "store/metric_record.h"
#include "store/spool.h"

namespace {

std::string SpoolDir() {
  auto dir = std::filesystem::temp_directory_path() / ("canopy-spool-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canopy::store;
  static const std::string dir = SpoolDir();
  {
    std::ofstream f(spool_segment_path(dir, 1), std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    SpoolReader reader(dir, {});
    std::vector<std::uint8_t> payload;
    SpoolPosition where;
    size_t records = 0;
    while (reader.next(payload, SpoolReader::read_all(), &where) == SpoolReader::Status::kRecord) {
      // A record lies inside the file, after a header, and the reader moves on.
      if (where.segment != 1 || where.offset + kSpoolHeaderSize + payload.size() > size) std::abort();
      if (++records > size / kSpoolHeaderSize + 1) std::abort();
      MetricRecord r;
      (void)decode_metric_record(payload, r);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spool reader threw: %s\n", e.what());
    std::abort();
  }
  return 0;
}
