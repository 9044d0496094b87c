// canopy-store config show | schema print | schema apply
#include <iostream>

#include "canopy/schema.h"
#include "cli/context.h"

namespace canopy::cli {
namespace {

void schema_print(const GlobalOptions& g) {
  Config config = effective_config(g);
  std::cout << "-- Canopy Store schema for keyspace " << config.cassandra.keyspace
            << " (docs/schema.md). The embedded store keeps the same logical schema in SQLite.\n";
  for (const std::string& statement : cassandra_schema_statements(config)) std::cout << statement << ";\n\n";
}

// Opening a store applies its schema (idempotent: IF NOT EXISTS), waits for
// schema agreement and reports replication warnings.
void schema_apply(const GlobalOptions& g) {
  auto store = open_configured_store(g);
  std::cout << "schema applied: " << store->describe() << '\n';
  close_store(*store);
}

}  // namespace

void add_config_commands(CLI::App& app, GlobalOptions& g) {
  CLI::App* config = app.add_subcommand("config", "Inspect the effective configuration");
  config->require_subcommand(1);
  config
      ->add_subcommand("show",
                       "Print the effective configuration as YAML (defaults < --config file < "
                       "environment < --set < --backend); the password is masked")
      ->callback([&g] { std::cout << dump_config(effective_config(g)); });

  CLI::App* schema = app.add_subcommand("schema", "Print or create the store's tables");
  schema->require_subcommand(1);
  schema->add_subcommand("print", "Print the CQL statements of the schema for the configured keyspace")
      ->callback([&g] { schema_print(g); });
  schema
      ->add_subcommand("apply",
                       "Create the keyspace and tables of the configured backend if missing "
                       "(idempotent), then wait for schema agreement")
      ->callback([&g] { schema_apply(g); });
}

}  // namespace canopy::cli
