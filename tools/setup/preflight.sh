#!/usr/bin/env bash
# Checks, in well under a second, that everything `npm test` or `npm run stack` needs is here,
# before any project runs:
#
#   bash tools/setup/preflight.sh test|stack
#
# Silent when all is there. Otherwise prints ONE line naming every missing piece and the command
# that installs it, and exits 1.
set -uo pipefail
cd "${BASH_SOURCE[0]%/*}/../.."
source tools/setup/prerequisites.sh

scope="${1:-test}"
missing=()

major="$(node_major)"
if ((major < NODE_MAJOR)); then
  if ((major == 0)); then
    missing+=("Node.js ${NODE_MAJOR}")
  else
    missing+=("Node.js ${NODE_MAJOR} (this is $(node --version))")
  fi
fi
mapfile -t -O "${#missing[@]}" missing < <(missing_packages "$scope")
others=()
while read -r program where; do
  missing+=("$program")
  others+=("$program from $where")
done < <(missing_others "$scope")
if ((major > 0)) && state="$(node tools/setup/node-modules-state.mjs)"; then :; elif ((major > 0)); then
  missing+=("node_modules (${state})")
fi

((${#missing[@]} == 0)) && exit 0

install='npm run setup'
if ((major > 0 && major < NODE_MAJOR)); then
  # setup.sh fetches Node.js into .tools/node when the machine's is older.
  install="npm run setup, then export PATH=\"$PWD/.tools/node/bin:\$PATH\""
fi
# What setup cannot install is named with where to get it.
if ((${#others[@]} == ${#missing[@]})); then
  install=''
fi
for other in "${others[@]}"; do install+="${install:+; }${other}"; done
joined="$(printf ', %s' "${missing[@]}")"
echo "missing: ${joined:2}. Install with: ${install}" >&2
exit 1
