#!/usr/bin/env bash
# Generates TypeScript types from each service's OpenAPI document and compiles them, and the
# example front-end code that uses them, with tsc --strict: what `make lint` runs.
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd -- "$here/../.." && pwd -P)
documents=$repo/.run/clients/openapi
"$repo/.venv/bin/python" "$repo/clients/export_openapi.py" "$documents"
cd "$here"
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
node generate.mjs "$documents"
npx --no-install tsc --noEmit -p tsconfig.json
echo "typescript clients: $(ls generated | wc -l) generated and compiled with tsc --strict"
