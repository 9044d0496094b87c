"""scripts/check-deps catches what it must: each rule is planted in a small
temporary tree and the checker must fail naming file:line; a clean tree passes."""
import os
import subprocess
import sys
import tempfile
import unittest

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "check-deps")

# A tree that respects every boundary: public headers in include/<m>/.
CLEAN = {
    "include/canopy/metrics_store.h": "#pragma once\n",
    "include/cql/session.h": "#pragma once\n",
    "src/cql/frame.h": "#pragma once\n#include \"cql/session.h\"\n",
    "src/cql/session.cc": "#include \"cql/session.h\"\n#include \"cql/frame.h\"\n",
    "src/store/cassandra_schema.h": "#pragma once\n",
    "src/store/backend.cc": "#include \"canopy/metrics_store.h\"\n#include \"cql/session.h\"\n",
    "src/cli/main.cc": "#include <vector>\n#include \"canopy/metrics_store.h\"\n",
    "python/src/module.cc": "#include \"convert.h\"\n#include \"canopy/metrics_store.h\"\n",
}


def run(root, *args):
    return subprocess.run([sys.executable, CHECKER, "--root", root, *args],
                          capture_output=True, text=True, check=False)


class CheckDepsTest(unittest.TestCase):
    def tree(self, extra):
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        for rel, text in {**CLEAN, **extra}.items():
            path = os.path.join(d.name, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return d.name

    def assert_caught(self, planted, where):
        r = run(self.tree(planted))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(where, r.stderr)

    def test_clean_tree_passes(self):
        r = run(self.tree({}))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_cql_must_not_include_store_config_or_canopy(self):
        for dep in ("store/writer.h", "config/key_table.h", "canopy/metrics_store.h"):
            with self.subTest(dep=dep):
                self.assert_caught({"src/cql/request.cc": f'// x\n#include "{dep}"\n'},
                                   "src/cql/request.cc:2: cql must not include")

    def test_public_cql_header_counts_as_cql(self):
        self.assert_caught({"include/cql/result.h": '#include "canopy/types.h"\n'},
                           "include/cql/result.h:1: cql must not include canopy")

    def test_store_must_not_include_cli_or_http(self):
        self.assert_caught({"src/store/x.cc": '#include "cli/output.h"\n'}, "src/store/x.cc:1: store must not include cli")
        self.assert_caught({"src/store/x.cc": '#include "http/server.h"\n'}, "src/store/x.cc:1: store must not include http")

    def test_cascor_must_not_include_store_or_cql(self):
        self.assert_caught({"src/cascor/t.cc": '#include "cql/session.h"\n'}, "src/cascor/t.cc:1: cascor must not include cql")
        self.assert_caught({"src/cascor/t.cc": '#include "store/x.h"\n'}, "src/cascor/t.cc:1: cascor must not include store")

    def test_python_must_not_include_cql(self):
        self.assert_caught({"python/src/store_handle.cc": '#include "cql/session.h"\n'},
                           "python/src/store_handle.cc:1: python must not include cql")

    def test_private_header_of_another_module(self):
        self.assert_caught({"src/cli/cmd_config.cc": '\n\n#include "store/cassandra_schema.h"\n'},
                           "src/cli/cmd_config.cc:3: cli includes store/cassandra_schema.h, a private header")
        self.assert_caught({"python/src/module.cc": '#include "store/cassandra_schema.h"\n'},
                           "python/src/module.cc:1: python includes store/cassandra_schema.h")

    def test_graph_lists_modules_and_their_dependencies(self):
        r = run(self.tree({}), "--graph")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("store -> canopy (1), cql (1)", r.stdout)
        self.assertIn("cql -> (nothing)", r.stdout)


if __name__ == "__main__":
    unittest.main()
