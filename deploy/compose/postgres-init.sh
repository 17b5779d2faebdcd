#!/usr/bin/env bash
# Runs once, when the postgres service first initialises its volume (docker-entrypoint-initdb.d):
# one login role and one database per service, from the URLs in the mounted secrets. Each role owns
# only its own database, and no other role may connect to it; none is a superuser.
set -euo pipefail
for file in "${SECRETS_DIR:-/run/secrets}"/*-database-url; do
  url=$(tr -d '\n' <"$file")
  # postgres://<role>:<password>@<host>:<port>/<database>
  role=$(sed -E 's|^postgres(ql)?://([^:]+):.*$|\2|' <<<"$url")
  password=$(sed -E 's|^postgres(ql)?://[^:]+:([^@]+)@.*$|\2|' <<<"$url")
  database=$(sed -E 's|^.*/([a-z_][a-z0-9_]*)(\?.*)?$|\1|' <<<"$url")
  echo "postgres-init: role $role owns database $database"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$role" -v password="$password" -v database="$database" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
done
