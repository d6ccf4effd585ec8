#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory
# (/docker-entrypoint-initdb.d): one database per service (docs/adr/0006-database-per-service.md),
# named in POSTGRES_DATABASES, comma-separated. Each service's migration job then creates its tables.
set -eu

for database in $(echo "${POSTGRES_DATABASES:?set POSTGRES_DATABASES, e.g. auth,orders}" | tr ',' ' '); do
  echo "init-databases: creating database $database"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "CREATE DATABASE \"$database\""
done
