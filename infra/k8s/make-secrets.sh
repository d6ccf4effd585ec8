#!/bin/sh
# Writes the files the kustomize secretGenerators read; they are never committed.
#
#   sh infra/k8s/make-secrets.sh dev
#   AUTH_DATABASE_URL=... ORDERS_DATABASE_URL=... PROFILE_DATABASE_URL=... \
#     NOTIFICATIONS_DATABASE_URL=... AMQP_URL=... sh infra/k8s/make-secrets.sh production
#
# Every file is written by infra/compose/make-secrets.sh. base/secrets/: the services' own
# secrets, random (the same files and formats as compose). Files that exist are kept: signing
# keys are encrypted under key_encryption_secret, so a new one would lock auth-service out of
# its own keys. In production, put your secret manager's key-encryption secret there before the
# first deploy. overlays/dev/secrets/: passwords for the in-cluster PostgreSQL and RabbitMQ, and
# the URLs the services reach them with. overlays/production/secrets/: the URLs of your external
# database (one per service) and broker, from the environment variables above.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
upper() { echo "$1" | tr '[:lower:]' '[:upper:]'; }
overlay="${1:-}"
case "$overlay" in
  dev | production) ;;
  *)
    echo "usage: sh $0 dev|production" >&2
    exit 2
    ;;
esac

sh "$here/../compose/make-secrets.sh" "$here/base/secrets"

dir="$here/overlays/$overlay/secrets"

# secret NAME[=VARIABLE]...: files only the owner reads, kept if they exist; each holds the value
# of the environment variable named, or a random one.
secret() {
  sh "$here/../compose/make-secrets.sh" --umask 077 "$dir" "$@"
}

if [ "$overlay" = dev ]; then
  secret postgres_password rabbitmq_password
  postgres=$(cat "$dir/postgres_password")
  rabbitmq=$(cat "$dir/rabbitmq_password")
  for service in auth orders profile notifications; do
    export "$(upper "$service")_DATABASE_URL=postgresql://postgres:$postgres@postgres:5432/$service"
  done
  export AMQP_URL="amqp://dja:$rabbitmq@rabbitmq:5672"
else
  missing=""
  for service in auth orders profile notifications; do
    name="$(upper "$service")_DATABASE_URL"
    [ -n "$(printenv "$name" || true)" ] || missing="$missing $name"
  done
  [ -n "${AMQP_URL:-}" ] || missing="$missing AMQP_URL"
  if [ -n "$missing" ]; then
    echo "make-secrets: set$missing (the external database of each service and the broker)" >&2
    exit 1
  fi
fi

for service in auth orders profile notifications; do
  secret "${service}_database_url=$(upper "$service")_DATABASE_URL"
done
secret amqp_url=AMQP_URL
