#!/usr/bin/env bash
# Generates the development secrets docker-compose.yml mounts, once, under .local/compose/secrets/
# (git ignores .local/). One file per secret, so each container gets only its own:
#   postgres-password                  the PostgreSQL superuser's (only the postgres service)
#   broker-database-url                mash_broker's URL for its own database
#   adapter-<agency>-database-url      adapter_<agency>'s URL for its agency's database
#   kafka-<user>-password              SCRAM-SHA-512 password of Kafka user broker / adapter-<agency>
# Existing files are kept; delete the folder and `docker compose down -v` to start over (PostgreSQL
# roles and Kafka users are created from these files only when their volumes are first made).
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR="$REPO_ROOT/.local/compose/secrets"
AGENCIES=(police health education social-care)

mkdir -p "$DIR"
# The folder keeps others out on the host; the files are world-readable because Compose bind-mounts
# them as they are and the apps run as uid 1000 (node) inside their containers.
chmod 700 "$DIR"
password() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='; }
write() {
  [[ -s "$DIR/$1" ]] && return 0
  printf '%s\n' "$2" >"$DIR/$1"
  chmod 644 "$DIR/$1"
  made=$((made + 1))
}
made=0
write postgres-password "$(password)"
write broker-database-url "postgres://mash_broker:$(password)@postgres:5432/mash_broker"
write kafka-broker-password "$(password)"
for agency in "${AGENCIES[@]}"; do
  role="adapter_${agency//-/_}"
  write "adapter-$agency-database-url" "postgres://$role:$(password)@postgres:5432/mash_${agency//-/_}"
  write "kafka-adapter-$agency-password" "$(password)"
done
printf 'secrets.sh: %d new secret(s) in %s\n' "$made" "${DIR#"$REPO_ROOT/"}" >&2
