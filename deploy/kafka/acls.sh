#!/usr/bin/env bash
# Per-agency ACLs on the SASL broker started by `kafka.sh --sasl start` (which runs `acls.sh apply`
# itself). Each adapter user may:
#   READ   topics prefixed mash.<agency>.  and consumer groups prefixed adapter-<agency>
#   WRITE  mash.<agency>.query.responded.v1, mash.<agency>.query.requested.v1.dlq,
#          mash.<agency>.case.outcome.v1.dlq, mash.<agency>.case.outcome.acknowledged.v1,
#          mash.<agency>.case.action.v1.dlq, mash.<agency>.case.action.acknowledged.v1,
#          mash.<agency>.adapter.heartbeat.v1 and mash.audit.v1 (literal names)
# and nothing else: no topic creation, no other agency's topics. User:broker is a super user.
# (READ and WRITE imply DESCRIBE, which clients need for metadata.)
#
#   bash deploy/kafka/acls.sh apply|list|remove
#
# Uses kafka.admin.AclCommand (the class behind kafka-acls.sh in Kafka 3.9) from the jar cache,
# authenticated as User:broker with the password in .local/kafka/scram-passwords.json.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
LIBS_DIR="$REPO_ROOT/.local/kafka/libs"
PASSWORDS_FILE="$REPO_ROOT/.local/kafka/scram-passwords.json"
STATE_DIR="$REPO_ROOT/.local/kafka-sasl"
BOOTSTRAP="127.0.0.1:${KAFKA_SASL_PORT:-9094}"
# Every agency the registry names (AGENCY_REGISTRY_FILE, the file the broker trusts keys from).
REGISTRY="${AGENCY_REGISTRY_FILE:-$REPO_ROOT/deploy/agencies/registry.dev.json}"
mapfile -t AGENCIES < <(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const names = [...Object.keys(r.default ?? {}), ...Object.values(r.partnerships ?? {}).flatMap((p) => Object.keys(p))];
  for (const n of new Set(names)) if (/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(n)) console.log(n);
' "$REGISTRY")
((${#AGENCIES[@]} > 0)) || { printf 'acls.sh: no agencies in %s\n' "$REGISTRY" >&2; exit 1; }

log() { printf 'acls.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[[ -f "$LIBS_DIR/.fetched" ]] || die "no Kafka jars yet: run 'bash deploy/kafka/kafka.sh --sasl start' first"
[[ -f "$PASSWORDS_FILE" ]] || die "no $PASSWORDS_FILE yet: run 'bash deploy/kafka/kafka.sh --sasl start' first"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

broker_password=$(sed -n 's/^ *"broker": *"\([^"]*\)".*/\1/p' "$PASSWORDS_FILE")
[[ -n "$broker_password" ]] || die "no broker password in $PASSWORDS_FILE"
ADMIN_CONFIG="$STATE_DIR/admin.properties"
mkdir -p "$STATE_DIR"
(
  umask 077
  cat >"$ADMIN_CONFIG" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$broker_password";
EOF
)

acl() {
  "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 -cp "$LIBS_DIR/*" \
    -Dlog4j.configuration="file:$SCRIPT_DIR/tools-log4j.properties" \
    kafka.admin.AclCommand --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" "$@" </dev/null
}

# One AclCommand run per agency and kind of pattern: each run is a JVM start (~2 s).
agency_acls() {
  local action="$1" agency="$2" principal="User:adapter-$2"
  acl "$action" --allow-principal "$principal" --operation Read \
    --topic "mash.$agency." --group "adapter-$agency" --resource-pattern-type prefixed
  acl "$action" --allow-principal "$principal" --operation Write \
    --topic "mash.$agency.query.responded.v1" \
    --topic "mash.$agency.query.requested.v1.dlq" \
    --topic "mash.$agency.case.outcome.v1.dlq" \
    --topic "mash.$agency.case.outcome.acknowledged.v1" \
    --topic "mash.$agency.case.action.v1.dlq" \
    --topic "mash.$agency.case.action.acknowledged.v1" \
    --topic "mash.$agency.adapter.heartbeat.v1" \
    --topic "mash.audit.v1" --resource-pattern-type literal
}

case "${1:-}" in
  apply)
    log "granting ${AGENCIES[*]/#/adapter-} their ACLs on $BOOTSTRAP..."
    # Agencies in parallel: most of the time is JVM start-up, not the broker.
    pids=()
    for agency in "${AGENCIES[@]}"; do
      agency_acls --add "$agency" >/dev/null &
      pids+=($!)
    done
    failed=0
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    ((failed == 0)) || die "adding ACLs failed (see above)"
    log "ACLs applied ($(acl --list | grep -c 'principal=User:adapter-') entries for the adapters)"
    ;;
  remove)
    for agency in "${AGENCIES[@]}"; do
      log "removing adapter-$agency's ACLs"
      agency_acls --remove "$agency" --force >/dev/null
    done
    ;;
  list) acl --list ;;
  *)
    echo "usage: acls.sh apply|list|remove   (against the SASL broker on $BOOTSTRAP)" >&2
    exit 2
    ;;
esac
