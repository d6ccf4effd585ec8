# The project's one list of prerequisites, read by `npm run setup` (setup.sh), the preflight of
# `npm test` and `npm run stack` (preflight.sh) and, through setup.sh, by CI (.ci/run).
# Sourced by bash; defines no side effects.
#
# One line per Debian package: the package, the program whose presence proves it is there, the
# folders searched besides $PATH (where Debian installs the program outside of $PATH), and what
# needs it: `stack` (npm run stack, and so the tests) or `test` (npm test only).
PREREQUISITES=(
  # package        program          also looked for in        needed by
  "postgresql      initdb           /usr/lib/postgresql/*/bin stack"
  "rabbitmq-server rabbitmq-server  /usr/lib/rabbitmq/bin     stack"
  "nginx-light     nginx            /usr/sbin                 stack"
  "chromium        chromium         -                         test"
  "docker-compose  docker-compose   -                         test"
  "curl            curl             -                         test"
  "jq              jq               -                         test"
  "git             git              -                         test"
  "prometheus      promtool         -                         test"
)

# Programs the tests need that Debian does not package in a version that works, so setup.sh
# cannot install them: the program, what needs it, and where to get it.
OTHER_PREREQUISITES=(
  # program needed by  where to get it
  "kubectl  test       https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (1.30 or newer: Debian 12's kubernetes-client is 1.20, whose kustomize cannot render infra/k8s)"
)

# The major version of Node.js the project runs on (package.json `engines`: >=24).
NODE_MAJOR=24

# has_program PROGRAM DIRS: true when PROGRAM is on $PATH or executable in one of DIRS (globs;
# `-` for none).
has_program() {
  local program="$1" dirs="$2" dir
  command -v "$program" >/dev/null 2>&1 && return 0
  [[ "$dirs" == - ]] && return 1
  for dir in $dirs; do
    [[ -x "$dir/$program" ]] && return 0
  done
  return 1
}

# missing_packages SCOPE: the packages, one per line, whose program is absent; SCOPE `stack`
# lists only what `npm run stack` needs, `test` everything.
missing_packages() {
  local scope="$1" line package program dirs needed_by
  for line in "${PREREQUISITES[@]}"; do
    read -r package program dirs needed_by <<<"$line"
    [[ "$scope" == stack && "$needed_by" != stack ]] && continue
    has_program "$program" "$dirs" || echo "$package"
  done
}

# missing_others SCOPE: the programs of OTHER_PREREQUISITES that are absent, one per line as
# `program where-to-get-it`.
missing_others() {
  local scope="$1" line program needed_by where
  for line in "${OTHER_PREREQUISITES[@]}"; do
    read -r program needed_by where <<<"$line"
    [[ "$scope" == stack && "$needed_by" != stack ]] && continue
    command -v "$program" >/dev/null 2>&1 || echo "$program $where"
  done
}

# node_major: the major version of the `node` on $PATH, or 0 when there is none.
node_major() {
  local version
  version="$(node --version 2>/dev/null)" || { echo 0; return; }
  version="${version#v}"
  echo "${version%%.*}"
}
