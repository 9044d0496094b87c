// canopy-store: the command line of Canopy Store.
#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"Canopy Store: a training-metrics store for neural-network runs", "canopy-store"};
  app.set_version_flag("--version", std::string("canopy-store ") + CANOPY_VERSION);
  app.footer("Exit codes: 0 success, 1 runtime error, 2 bad usage.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (argc == 1) std::cout << app.help();
  return 0;
}
