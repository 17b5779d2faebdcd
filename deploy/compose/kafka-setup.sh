#!/usr/bin/env bash
# One-shot, after the compose Kafka is healthy: grants each adapter user exactly the ACLs
# deploy/kafka/acls.sh documents, and creates the adapters' own dead-letter topics (adapters may
# not create topics; the broker, a super user, creates every other topic it and they use).
set -euo pipefail
BOOTSTRAP=kafka:9092
CONFIG=/tmp/admin.properties
umask 077
cat >"$CONFIG" <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$(tr -d '\n' </run/secrets/kafka-broker-password)";
PROPERTIES
export KAFKA_HEAP_OPTS="-Xmx128m"

acl() { /opt/kafka/bin/kafka-acls.sh --bootstrap-server "$BOOTSTRAP" --command-config "$CONFIG" "$@" >/dev/null; }
topic() {
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --command-config "$CONFIG" \
    --create --if-not-exists --topic "$1" --partitions 1 --replication-factor 1 >/dev/null
}

# Each step is a JVM start (~2 s): agencies in parallel.
pids=()
for agency in police health education social-care; do
  (
    principal="User:adapter-$agency"
    acl --add --allow-principal "$principal" --operation Read \
      --topic "mash.$agency." --group "adapter-$agency" --resource-pattern-type prefixed
    acl --add --allow-principal "$principal" --operation Write \
      --topic "mash.$agency.query.responded.v1" \
      --topic "mash.$agency.query.requested.v1.dlq" \
      --topic "mash.$agency.case.outcome.v1.dlq" \
      --topic "mash.$agency.case.outcome.acknowledged.v1" \
      --topic "mash.$agency.case.action.v1.dlq" \
      --topic "mash.$agency.case.action.acknowledged.v1" \
      --topic "mash.$agency.adapter.heartbeat.v1" \
      --topic "mash.audit.v1" --resource-pattern-type literal
    topic "mash.$agency.query.requested.v1.dlq"
    topic "mash.$agency.case.outcome.v1.dlq"
    topic "mash.$agency.case.action.v1.dlq"
    echo "kafka-setup: adapter-$agency granted its ACLs and dead-letter topics"
  ) &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
