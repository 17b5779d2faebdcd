#!/usr/bin/env bash
# The compose Kafka: single-node KRaft in the apache/kafka image, SASL_PLAINTEXT with SCRAM-SHA-512
# for clients and StandardAuthorizer denying anything no ACL allows (the same setup as
# `deploy/kafka/kafka.sh --sasl`; see deploy/kafka/README.md). SCRAM users and their passwords come
# from the mounted secrets and are created when the data volume is first formatted.
set -euo pipefail
secret() { tr -d '\n' <"/run/secrets/$1"; }
BROKER_PASSWORD=$(secret kafka-broker-password)
DATA=/var/lib/kafka/data
PROPS=/tmp/server.properties

umask 077
cat >"$PROPS" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@kafka:9093
controller.listener.names=CONTROLLER
listeners=SASL_PLAINTEXT://:9092,CONTROLLER://:9093
advertised.listeners=SASL_PLAINTEXT://kafka:9092
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$BROKER_PASSWORD";
# SCRAM cannot authenticate the controller listener (its credentials live in the metadata the
# controller serves): PLAIN with the one static user broker.
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="$BROKER_PASSWORD" user_broker="$BROKER_PASSWORD";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:broker
log.dirs=$DATA
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=1
auto.create.topics.enable=false
PROPERTIES

# For the healthcheck and kafka-setup.sh: an admin client authenticated as broker.
cat >/tmp/admin.properties <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$BROKER_PASSWORD";
PROPERTIES

if [[ ! -f "$DATA/meta.properties" ]]; then
  scram=(--add-scram "SCRAM-SHA-512=[name=broker,password=$BROKER_PASSWORD]")
  for agency in police health education social-care; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=adapter-$agency,password=$(secret "kafka-adapter-$agency-password")]")
  done
  /opt/kafka/bin/kafka-storage.sh format -t "$(/opt/kafka/bin/kafka-storage.sh random-uuid)" -c "$PROPS" "${scram[@]}"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$PROPS"
