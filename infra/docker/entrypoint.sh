#!/bin/sh
# Entry point of every service image (and of the migration image).
#
# 1. Secrets arrive as files (compose `secrets:`, Kubernetes volumes), never baked into the image
#    or written into the compose file. The services read plain environment variables, so for each
#    variable below, NAME_FILE=/run/secrets/x sets NAME to that file's content. Only these names:
#    SIGNING_KEY_FILE, for one, is a real setting (a path) and must stay as it is.
# 2. Replicas of one compose service share one environment; each takes its number from its
#    container name (`orders-service-2` in `docker compose ps` -> REPLICA_ID=2, see
#    replica-name.cjs beside this file), else its hostname, so logs and `X-Served-By` tell them apart.
set -eu

for name in KEY_ENCRYPTION_SECRET ADMIN_PASSWORD SERVICE_CLIENTS CLIENT_SECRET DATABASE_URL AMQP_URL; do
  file=$(printenv "${name}_FILE" || true)
  [ -n "$file" ] || continue
  if [ -n "$(printenv "$name" || true)" ]; then
    echo "entrypoint: both $name and ${name}_FILE are set; set only one" >&2
    exit 1
  fi
  if [ ! -r "$file" ]; then
    echo "entrypoint: ${name}_FILE=$file is not a readable file" >&2
    exit 1
  fi
  value=$(cat "$file")
  export "$name=$value"
  unset "${name}_FILE"
done

if [ -z "${REPLICA_ID:-}" ]; then
  REPLICA_ID=$(node "$(dirname "$0")/replica-name.cjs" "${APP:-}" 2>/dev/null || true)
  REPLICA_ID="${REPLICA_ID:-$(hostname)}"
fi
export REPLICA_ID

exec "$@"
