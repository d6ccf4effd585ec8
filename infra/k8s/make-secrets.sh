#!/bin/sh
# Writes the files the kustomize secretGenerators read; they are never committed.
#
#   sh infra/k8s/make-secrets.sh dev
#   AUTH_DATABASE_URL=... ORDERS_DATABASE_URL=... PROFILE_DATABASE_URL=... \
#     NOTIFICATIONS_DATABASE_URL=... AMQP_URL=... sh infra/k8s/make-secrets.sh production
#
# base/secrets/: the services' own secrets, random, made by infra/compose/make-secrets.sh (the
# same files and formats as compose). Files that exist are kept: signing keys are encrypted
# under key_encryption_secret, so a new one would lock auth-service out of its own keys. In
# production, put your secret manager's key-encryption secret there before the first deploy.
# overlays/dev/secrets/: passwords for the in-cluster PostgreSQL and RabbitMQ, and the URLs the
# services reach them with. overlays/production/secrets/: the URLs of your external database
# (one per service) and broker, from the environment variables above.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
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
mkdir -p "$dir"

random() {
  head -c 48 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'
}

# write NAME VALUE: a file that is kept if it exists.
write() {
  if [ -e "$dir/$1" ]; then
    echo "kept    $dir/$1"
    return
  fi
  (umask 077 && printf '%s' "$2" >"$dir/$1")
  echo "created $dir/$1"
}

if [ "$overlay" = dev ]; then
  write postgres_password "$(random)"
  write rabbitmq_password "$(random)"
  postgres=$(cat "$dir/postgres_password")
  rabbitmq=$(cat "$dir/rabbitmq_password")
  for service in auth orders profile notifications; do
    write "${service}_database_url" "postgresql://postgres:$postgres@postgres:5432/$service"
  done
  write amqp_url "amqp://dja:$rabbitmq@rabbitmq:5672"
  exit 0
fi

missing=""
for name in AUTH_DATABASE_URL ORDERS_DATABASE_URL PROFILE_DATABASE_URL NOTIFICATIONS_DATABASE_URL AMQP_URL; do
  [ -n "$(printenv "$name" || true)" ] || missing="$missing $name"
done
if [ -n "$missing" ]; then
  echo "make-secrets: set$missing (the external database of each service and the broker)" >&2
  exit 1
fi
for service in auth orders profile notifications; do
  name=$(echo "${service}_DATABASE_URL" | tr '[:lower:]' '[:upper:]')
  write "${service}_database_url" "$(printenv "$name")"
done
write amqp_url "$AMQP_URL"
