// Replay driver for the fuzz targets in ordinary builds (no libFuzzer), so
// every test run exercises them: the target runs on each seed — the built-in
// ones of FUZZ_SEEDS (cql targets) and every file of the directories given as
// arguments (the committed corpora under fuzz/corpus/) — on every truncation
// of it and on deterministic single-byte mutations. Exit 0 unless the target
// crashes or aborts (sanitizer builds make over-reads crashes too).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifdef FUZZ_SEEDS
#include "cql_fuzz_seeds.h"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Run(const std::string& s) { LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Long seeds (spool segments of 32 KiB blocks) get every truncation up to
// 4 KiB and then one per 64 bytes, and mutations at a stride, so a replay
// stays within seconds.
size_t Replay(const std::string& s) {
  size_t runs = 1;
  Run(s);
  const size_t stride = s.size() > 4096 ? 64 : 1;
  for (size_t n = 0; n < s.size(); n += (n < 4096 ? 1 : stride), ++runs) Run(s.substr(0, n));
  for (size_t i = 0; i < s.size(); i += stride) {
    for (unsigned char x : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string m = s;
      m[i] = static_cast<char>(x);
      Run(m);
      ++runs;
    }
  }
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> seeds;
#ifdef FUZZ_SEEDS
  seeds = FUZZ_SEEDS();
#endif
  for (int a = 1; a < argc; ++a) {
    std::filesystem::path p(argv[a]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p))
        if (e.is_regular_file()) seeds.push_back(ReadFile(e.path()));
    } else if (std::filesystem::is_regular_file(p)) {
      seeds.push_back(ReadFile(p));
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[a]);
      return 2;
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "replay: no seeds (give a corpus directory)\n");
    return 2;
  }
  size_t runs = 0;
  for (const std::string& s : seeds) runs += Replay(s);
  std::printf("replayed %zu inputs from %zu seeds\n", runs, seeds.size());
  return 0;
}
