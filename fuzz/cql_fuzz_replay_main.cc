// Replay driver for the fuzz targets in ordinary builds (no libFuzzer): runs
// the target on the built-in seeds, on every truncation and on deterministic
// single-byte mutations of each seed, and on every file given as argument
// (a file or a directory of files, e.g. a crash or corpus). Exit 0 unless the
// target crashes (sanitizers make over-reads crashes).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cql_fuzz_seeds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Run(const std::string& s) { LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

void RunFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  Run(std::string(std::istreambuf_iterator<char>(f), {}));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> seeds = CQL_FUZZ_SEEDS();
  size_t runs = 0;
  for (const std::string& s : seeds) {
    Run(s);
    for (size_t n = 0; n < s.size(); ++n, ++runs) Run(s.substr(0, n));
    for (size_t i = 0; i < s.size(); ++i) {
      for (unsigned char x : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
        std::string m = s;
        m[i] = static_cast<char>(x);
        Run(m);
        ++runs;
      }
    }
  }
  for (int a = 1; a < argc; ++a) {
    std::filesystem::path p(argv[a]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p))
        if (e.is_regular_file()) RunFile(e.path()), ++runs;
    } else {
      RunFile(p);
      ++runs;
    }
  }
  std::printf("replayed %zu inputs from %zu seeds\n", runs, seeds.size());
  return 0;
}
