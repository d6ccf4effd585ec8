#!/bin/sh
# Writes the secrets docker-compose.yml mounts, random and new, into infra/compose/secrets/ (or
# the directory given). Files that already exist are kept: signing keys are encrypted under
# key_encryption_secret, so changing it would lock the auth service out of its own keys.
#
#   sh infra/compose/make-secrets.sh [dir]
#
# The client scopes and audiences mirror SERVICE_CLIENTS in tools/stack/src/topology.ts (a test
# in infra/test/ keeps them equal).
set -eu

dir="${1:-$(dirname "$0")/secrets}"
mkdir -p "$dir"

random() {
  # 48 random bytes, base64url without padding: 64 characters.
  head -c 48 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'
}

write() {
  if [ -e "$dir/$1" ]; then
    echo "kept    $dir/$1"
    return
  fi
  # Readable by the non-root user the services run as (compose bind-mounts the file as it is).
  (umask 022 && printf '%s' "$2" >"$dir/$1")
  echo "created $dir/$1"
}

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
