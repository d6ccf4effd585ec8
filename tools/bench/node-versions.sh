#!/usr/bin/env bash
# Runs benchmarks of `npm run bench` under two Node.js binaries, alternating (A B A B …) so that
# both share the same minutes of a busy machine, and keeps each run's output:
#
#   bash tools/bench/node-versions.sh OLD_NODE NEW_NODE ROUNDS name…
#   bash tools/bench/node-versions.sh /usr/bin/node .tools/node/bin/node 1 verify footprint
#
# It builds once, then runs tools/bench/src/cli.ts directly (npm run bench's preflight refuses a
# Node.js older than 24). Outputs go to tmp/bench-node-versions/<round>-<name>-v<version>.txt,
# with the figures in a .json beside it; docs/bench/bench-results.json is left as it was.
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/../.."

old="$(realpath "$1")" new="$(realpath "$2")" rounds="$3"
shift 3
out=tmp/bench-node-versions
mkdir -p "$out"
results=docs/bench/bench-results.json
cp "$results" "$out/bench-results.before.json"
trap 'cp "$out/bench-results.before.json" "$results"' EXIT

npx nx run-many -t build build-bench-server \
  -p auth-service,orders-service,profile-service,notifications-service >&2

for ((round = 1; round <= rounds; round++)); do
  for name in "$@"; do
    for node in "$old" "$new"; do
      # A folder with only `node` in it, first on PATH: tsx and every process it starts use it.
      bin="$(mktemp -d)"
      ln -s "$node" "$bin/node"
      file="$out/${round}-${name}-$("$node" --version).txt"
      echo "round ${round}: ${name} on Node.js $("$node" --version) > ${file}"
      PATH="$bin:$PATH" node_modules/.bin/tsx tools/bench/src/cli.ts "$name" >"$file" 2>&1 ||
        echo "  exited $? (see ${file})"
      cp "$results" "${file%.txt}.json"
      rm -rf "$bin"
    done
  done
done
