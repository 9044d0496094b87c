#!/usr/bin/env bash
# Runs the project's venv Python (made by scripts/setup) with the given
# arguments. ctest runs every Python test through this, so those tests are
# registered whether or not the venv exists, and fail saying what is missing.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="$ROOT/.venv/bin/python3"
if [ ! -x "$PYTHON" ]; then
  echo "run scripts/setup: .venv/bin/python3 not found (the venv with pytest and cassandra-driver)" >&2
  exit 1
fi
exec "$PYTHON" "$@"
