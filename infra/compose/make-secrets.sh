#!/bin/sh
# Writes secret files, random and new. Files that already exist are kept: signing keys are
# encrypted under key_encryption_secret, so changing it would lock the auth service out of its
# own keys.
#
#   sh infra/compose/make-secrets.sh [dir]
#     the secrets docker-compose.yml mounts, into infra/compose/secrets/ (or dir)
#   sh infra/compose/make-secrets.sh --umask 077 dir name[=VARIABLE]...
#     the files named, into dir (infra/k8s uses this): each with the value of the environment
#     variable named, or random without one. Values never appear on a command line.
#
# Without --umask the files are readable by all (022): compose bind-mounts them as they are, and
# the services run as a non-root user.
#
# The client scopes and audiences mirror SERVICE_CLIENTS in tools/stack/src/topology.ts (a test
# in infra/test/ keeps them equal).
set -eu

mask=022
if [ "${1:-}" = --umask ]; then
  mask="$2"
  shift 2
fi
dir="${1:-$(dirname "$0")/secrets}"
[ "$#" -eq 0 ] || shift
mkdir -p "$dir"

random() {
  # 48 random bytes, base64url without padding: 64 characters.
  head -c 48 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'
}

# write NAME VALUE: a file that is kept if it exists.
write() {
  if [ -e "$dir/$1" ]; then
    echo "kept    $dir/$1"
    return
  fi
  (umask "$mask" && printf '%s' "$2" >"$dir/$1")
  echo "created $dir/$1"
}

if [ "$#" -gt 0 ]; then
  for secret in "$@"; do
    case "$secret" in
      *=*)
        value=$(printenv "${secret#*=}") || {
          echo "make-secrets: ${secret#*=} is not set" >&2
          exit 1
        }
        write "${secret%%=*}" "$value"
        ;;
      *) write "$secret" "$(random)" ;;
    esac
  done
  exit 0
fi

write key_encryption_secret "$(random)"
write admin_password "$(random)"
for service in orders profile notifications; do
  write "${service}_client_secret" "$(random)"
done

if [ ! -e "$dir/service_clients.json" ]; then
  orders=$(cat "$dir/orders_client_secret")
  profile=$(cat "$dir/profile_client_secret")
  notifications=$(cat "$dir/notifications_client_secret")
  write service_clients.json "[
  {\"id\": \"orders-service\", \"secret\": \"$orders\", \"scopes\": [\"revocations:read\"], \"audience\": [\"auth\"]},
  {\"id\": \"profile-service\", \"secret\": \"$profile\", \"scopes\": [\"revocations:read\"], \"audience\": [\"auth\"]},
  {\"id\": \"notifications-service\", \"secret\": \"$notifications\", \"scopes\": [\"revocations:read\", \"profile:read\"], \"audience\": [\"auth\", \"profile\"]}
]"
else
  echo "kept    $dir/service_clients.json"
fi
