#!/usr/bin/env bash
# A real single-node Apache Kafka (KRaft, broker and controller in one JVM) for development and tests,
# run straight from the Maven-fetched jars: no Docker, no downloaded tarball.
#
#   bash deploy/kafka/kafka.sh [--sasl | cluster] start|stop|status|logs [-f]|reset
#
# Plain mode: PLAINTEXT on 127.0.0.1:${KAFKA_PORT:-9092}, state under .local/kafka/ (another
# KAFKA_PORT: .local/kafka-<port>/, so a second node can run beside the first).
# --sasl (or KAFKA_SASL=1): SASL_PLAINTEXT + SCRAM-SHA-512 with ACLs on
# 127.0.0.1:${KAFKA_SASL_PORT:-9094}, state under .local/kafka-sasl/.
# cluster (or --cluster, KAFKA_CLUSTER=1): three KRaft nodes (each broker and controller) on
# 127.0.0.1:19092-19094, replication 3 and min.insync.replicas 2, state under .local/kafka-cluster/.
# All three modes can run at once.
# See deploy/kafka/README.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
LOCAL_DIR="$REPO_ROOT/.local"
LIBS_DIR="$LOCAL_DIR/kafka/libs"
PASSWORDS_FILE="$LOCAL_DIR/kafka/scram-passwords.json"
SCRAM_USERS=(broker adapter-police adapter-health adapter-education adapter-social-care)

usage() {
  cat >&2 <<'EOF'
usage: kafka.sh [--sasl | cluster] <command>

commands:
  start       fetch the jars (first run only), format storage (first run only), start Kafka, wait until ready
  stop        stop the Kafka this script started (SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT s)
  status      exit 0 when a Kafka answers on the port, 3 when none does
  logs [-f]   print the last KAFKA_LOG_LINES (100) lines of the server log; -f follows it
  reset       stop, then delete this mode's data, logs and cluster id (the jar cache is kept)

options:
  --sasl      the SCRAM-SHA-512 + ACL broker on 9094/9095 instead of the plain one (same as KAFKA_SASL=1)
  cluster     a three-node KRaft cluster (replication 3, min.insync.replicas 2) on 19092-19094,
              controllers on 19192-19194 (also --cluster or KAFKA_CLUSTER=1); `logs` shows node
              KAFKA_NODE (1); SIGKILL one node with: kill -9 "$(cat .local/kafka-cluster/node-2/kafka.pid)"

environment:
  KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093)             plain mode ports
  KAFKA_SASL_PORT (9094), KAFKA_SASL_CONTROLLER_PORT (9095)   SASL mode ports
  KAFKA_CLUSTER_PORTS (19092,19093,19094), KAFKA_CLUSTER_CONTROLLER_PORTS (19192,19193,19194)
  KAFKA_HEAP_OPTS ("-Xms256m -Xmx512m"; "-Xms128m -Xmx384m" a node in cluster mode),
  KAFKA_START_TIMEOUT (60), KAFKA_STOP_TIMEOUT (30), JAVA_HOME
EOF
}

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

SASL="${KAFKA_SASL:-0}"
CLUSTER="${KAFKA_CLUSTER:-0}"
COMMAND=""
FOLLOW=0
for arg in "$@"; do
  case "$arg" in
    --sasl) SASL=1 ;;
    --cluster | cluster) CLUSTER=1 ;;
    -f | --follow) FOLLOW=1 ;;
    -h | --help | help) usage; exit 0 ;;
    start | stop | status | logs | reset)
      [[ -z "$COMMAND" ]] || die "only one command at a time (got '$COMMAND' and '$arg')"
      COMMAND="$arg"
      ;;
    *) usage; die "unknown argument '$arg'" ;;
  esac
done
[[ -n "$COMMAND" ]] || { usage; exit 2; }
[[ "$SASL" == "1" || "$SASL" == "true" ]] && SASL=1 || SASL=0
[[ "$CLUSTER" == "1" || "$CLUSTER" == "true" ]] && CLUSTER=1 || CLUSTER=0
((SASL && CLUSTER)) && die "cluster mode is PLAINTEXT only; --sasl and cluster cannot be combined"

if ((CLUSTER)); then
  # Node 1's settings until select_node picks another; the cluster commands loop over the nodes.
  CLUSTER_DIR="$LOCAL_DIR/kafka-cluster"
  IFS=, read -r -a CLUSTER_PORTS <<<"${KAFKA_CLUSTER_PORTS:-19092,19093,19094}"
  IFS=, read -r -a CLUSTER_CONTROLLER_PORTS <<<"${KAFKA_CLUSTER_CONTROLLER_PORTS:-19192,19193,19194}"
  ((${#CLUSTER_PORTS[@]} == 3 && ${#CLUSTER_CONTROLLER_PORTS[@]} == 3)) \
    || die "KAFKA_CLUSTER_PORTS and KAFKA_CLUSTER_CONTROLLER_PORTS must each name three ports"
  VOTERS="1@127.0.0.1:${CLUSTER_CONTROLLER_PORTS[0]},2@127.0.0.1:${CLUSTER_CONTROLLER_PORTS[1]},3@127.0.0.1:${CLUSTER_CONTROLLER_PORTS[2]}"
  STATE_DIR="$CLUSTER_DIR/node-1"
  PORT="${CLUSTER_PORTS[0]}"
  CONTROLLER_PORT="${CLUSTER_CONTROLLER_PORTS[0]}"
  CLIENT_LISTENER=PLAINTEXT
  CONTROLLER_PROTOCOL=PLAINTEXT
  if [[ "$(printf '%s\n' "${CLUSTER_PORTS[@]}" "${CLUSTER_CONTROLLER_PORTS[@]}" | sort -u | wc -l)" != 6 ]]; then
    die "the cluster's six ports must all differ"
  fi
elif ((SASL)); then
  STATE_DIR="$LOCAL_DIR/kafka-sasl"
  PORT="${KAFKA_SASL_PORT:-9094}"
  CONTROLLER_PORT="${KAFKA_SASL_CONTROLLER_PORT:-9095}"
  CLIENT_LISTENER=SASL_PLAINTEXT
  CONTROLLER_PROTOCOL=SASL_PLAINTEXT
else
  PORT="${KAFKA_PORT:-9092}"
  # A second node on another port (a test that stops its own Kafka) keeps its own state.
  if [[ "$PORT" == "9092" ]]; then STATE_DIR="$LOCAL_DIR/kafka"; else STATE_DIR="$LOCAL_DIR/kafka-$PORT"; fi
  CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
  CLIENT_LISTENER=PLAINTEXT
  CONTROLLER_PROTOCOL=PLAINTEXT
fi
for p in "$PORT" "$CONTROLLER_PORT" ${CLUSTER_PORTS[@]+"${CLUSTER_PORTS[@]}"} ${CLUSTER_CONTROLLER_PORTS[@]+"${CLUSTER_CONTROLLER_PORTS[@]}"}; do
  # shellcheck disable=SC2015 # both tests must hold, else die
  [[ "$p" =~ ^[0-9]+$ ]] && ((p > 0 && p < 65536)) || die "not a port number: '$p'"
done
[[ "$PORT" != "$CONTROLLER_PORT" ]] || die "the client and controller ports must differ (both $PORT)"

DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
SERVER_LOG="$LOG_DIR/server.log"
PID_FILE="$STATE_DIR/kafka.pid"
PROPS_FILE="$STATE_DIR/server.properties"
CLUSTER_ID_FILE="$STATE_DIR/cluster-id"
((CLUSTER)) && CLUSTER_ID_FILE="$CLUSTER_DIR/cluster-id" # one id for the three nodes
START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

java_bin() {
  local java="${JAVA_HOME:+$JAVA_HOME/bin/}java" version major
  command -v "$java" >/dev/null 2>&1 || die "java not found: install a JDK 17 or later (or set JAVA_HOME)"
  version=$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  major="${version%%.*}"
  [[ "$major" == "1" ]] && major=$(cut -d. -f2 <<<"$version")
  # shellcheck disable=SC2015 # both tests must hold, else die
  [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 17)) || die "Kafka here needs Java 17 or later; '$java' is ${version:-unknown}"
  printf '%s' "$java"
}

# Copies Kafka's runtime jars into .local/kafka/libs once. The marker holds the pom's checksum, so a
# half-finished copy or a version bump in pom.xml fetches again, and anything else skips Maven.
fetch_jars() {
  local marker="$LIBS_DIR/.fetched" want
  want=$(sha256sum "$SCRIPT_DIR/pom.xml" | cut -d' ' -f1)
  [[ -f "$marker" && "$(cat "$marker")" == "$want" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed once to fetch the Kafka jars; install it and retry"
  mkdir -p "$LOCAL_DIR/kafka"
  exec 8>"$LOCAL_DIR/kafka/.fetch.lock"
  flock 8
  if [[ -f "$marker" && "$(cat "$marker")" == "$want" ]]; then exec 8>&-; return 0; fi
  log "fetching the Kafka jars with Maven into .local/kafka/libs (first run only)..."
  rm -rf "$LIBS_DIR"
  # Output kept in a file and shown on failure: Maven 3.8's -q still prints stray colour codes.
  mvn -q -B -f "$SCRIPT_DIR/pom.xml" package -Dkafka.libs.dir="$LIBS_DIR" >"$LOCAL_DIR/kafka/maven.log" 2>&1 \
    || { cat "$LOCAL_DIR/kafka/maven.log" >&2; die "Maven could not fetch the Kafka jars (see above)"; }
  printf '%s\n' "$want" >"$marker"
  log "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars"
  exec 8>&-
}

# Sends an ApiVersions v0 request and checks that the reply carries our correlation id, which tells a
# Kafka listener (plain or SASL: ApiVersions is allowed before authentication) from any other server.
kafka_answers() {
  local reply
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  reply=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "\x00\x00\x00\x12\x00\x12\x00\x00\x4b\x53\x48\x31\x00\x08kafka.sh" >&3
    head -c 8 <&3 | od -An -tx1
  ' _ "$1" 2>/dev/null) || return 1
  reply="${reply//[[:space:]]/}"
  [[ "$reply" == *4b534831 ]]
}

port_open() {
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# True when the pid is alive and is the Kafka this script started for this mode, so a recycled pid or
# another engineer's broker is never signalled.
is_our_kafka() {
  local pid="$1" args
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  args=$(ps -ww -p "$pid" -o args= 2>/dev/null) || return 1
  [[ "$args" == *kafka.Kafka* && "$args" == *"$PROPS_FILE"* ]]
}

running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid=$(cat "$PID_FILE")
  is_our_kafka "$pid" || return 1
  printf '%s' "$pid"
}

# The client port the running broker was started with (the environment may name another now).
running_port() {
  sed -n 's/^listeners=[A-Z_]*:\/\/[^:]*:\([0-9]*\),.*/\1/p' "$PROPS_FILE" 2>/dev/null
}

read_password() {
  sed -n "s/^ *\"$1\": *\"\([^\"]*\)\".*/\1/p" "$PASSWORDS_FILE"
}

# One random password per SCRAM user, written once; the adapters read the same file.
ensure_passwords() {
  local user pw missing=0
  if [[ -f "$PASSWORDS_FILE" ]]; then
    for user in "${SCRAM_USERS[@]}"; do [[ -n "$(read_password "$user")" ]] || missing=1; done
    ((missing)) || return 0
    die "$PASSWORDS_FILE lacks a password for one of: ${SCRAM_USERS[*]}; delete it and '$0 --sasl reset' to start over"
  fi
  mkdir -p "$(dirname "$PASSWORDS_FILE")"
  (
    umask 077
    {
      printf '{\n'
      local i last=$((${#SCRAM_USERS[@]} - 1))
      for i in "${!SCRAM_USERS[@]}"; do
        pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
        printf '  "%s": "%s"%s\n' "${SCRAM_USERS[$i]}" "$pw" "$([[ $i -lt $last ]] && printf ',')"
      done
      printf '}\n'
    } >"$PASSWORDS_FILE.tmp"
    mv "$PASSWORDS_FILE.tmp" "$PASSWORDS_FILE"
  )
  log "generated SCRAM passwords in .local/kafka/scram-passwords.json"
}

render_properties() {
  mkdir -p "$STATE_DIR" "$DATA_DIR" "$LOG_DIR"
  (
    umask 077
    sed -e "s|@PORT@|$PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
      -e "s|@CLIENT_LISTENER@|$CLIENT_LISTENER|g" -e "s|@CONTROLLER_PROTOCOL@|$CONTROLLER_PROTOCOL|g" -e "s|@LOG_DIRS@|$DATA_DIR|g" \
      "$SCRIPT_DIR/server.properties" >"$PROPS_FILE.tmp"
    if ((SASL)); then
      printf '\n' >>"$PROPS_FILE.tmp"
      sed -e "s|@BROKER_PASSWORD@|$(read_password broker)|g" "$SCRIPT_DIR/sasl.properties" >>"$PROPS_FILE.tmp"
    fi
    if ((CLUSTER)); then
      # Later keys win in a Java properties file: the overlay replaces the single-node settings.
      printf '\n' >>"$PROPS_FILE.tmp"
      sed -e "s|@NODE_ID@|$NODE_ID|g" -e "s|@VOTERS@|$VOTERS|g" "$SCRIPT_DIR/cluster.properties" >>"$PROPS_FILE.tmp"
    fi
    mv "$PROPS_FILE.tmp" "$PROPS_FILE"
  )
}

# A KRaft cluster id is a base64url-encoded 16-byte UUID (22 characters). Forcing the first character
# to a letter keeps it from starting with '-', which command-line parsers take for an option.
new_cluster_id() {
  local id letters=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz
  id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  printf '%s%s' "${letters:$((RANDOM % 52)):1}" "${id:1}"
}

format_storage() {
  local java="$1" cluster_id user args
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  [[ -s "$CLUSTER_ID_FILE" ]] || new_cluster_id >"$CLUSTER_ID_FILE"
  cluster_id=$(cat "$CLUSTER_ID_FILE")
  args=(format -t "$cluster_id" -c "$PROPS_FILE" --ignore-formatted)
  if ((SASL)); then
    for user in "${SCRAM_USERS[@]}"; do
      args+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(read_password "$user")]")
    done
  fi
  log "formatting storage in ${DATA_DIR#"$REPO_ROOT/"} (cluster id $cluster_id, first run only)"
  "$java" -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$SCRIPT_DIR/tools-log4j.properties" \
    kafka.tools.StorageTool "${args[@]}" >"$LOG_DIR/format.out" 2>&1 \
    || { cat "$LOG_DIR/format.out" >&2; die "formatting storage failed"; }
}

file_size() { [[ -f "$1" ]] && wc -c <"$1" | tr -d ' ' || printf 0; }

# Kafka is ready when its client port answers ApiVersions and the log written since launch says the
# server started (the port opens a moment before the broker has caught up with its metadata).
wait_until_ready() {
  local pid="$1" log_offset="$2" deadline=$((SECONDS + START_TIMEOUT)) since polls=0
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      printf '\n' >&2
      log "Kafka exited during startup; last lines of ${SERVER_LOG#"$REPO_ROOT/"} and kafka.out:"
      tail -n 40 "$SERVER_LOG" >&2 2>/dev/null || true
      tail -n 20 "$LOG_DIR/kafka.out" >&2 2>/dev/null || true
      rm -f "$PID_FILE"
      return 1
    fi
    since=$(file_size "$SERVER_LOG")
    ((since < log_offset)) && log_offset=0 # the log rolled over during startup
    # grep -c reads to the end: with grep -q, tail dies of SIGPIPE once more than a pipe buffer of log
    # follows the match (a broker with many consumer groups), and pipefail turns that into "not ready".
    if tail -c +"$((log_offset + 1))" "$SERVER_LOG" 2>/dev/null | grep -c 'Kafka Server started\|started (kafka.server.KafkaRaftServer)' >/dev/null \
      && kafka_answers "$PORT"; then
      printf '\n' >&2
      return 0
    fi
    ((++polls % 4 == 0)) && printf '.' >&2 # a dot a second
    sleep 0.25
  done
  printf '\n' >&2
  log "Kafka did not become ready within ${START_TIMEOUT}s; stopping it. Last lines of the log:"
  tail -n 40 "$SERVER_LOG" >&2 2>/dev/null || true
  stop_pid "$pid"
  return 1
}

stop_pid() {
  local pid="$1" deadline=$((SECONDS + STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    printf '.' >&2
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    printf '\n' >&2
    log "Kafka (pid $pid) still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  printf '\n' >&2
  rm -f "$PID_FILE"
}

# Starts the JVM for the selected node in the background (a child of this shell, not of a
# subshell); its pid goes to the pid file and LAUNCHED_PID.
launch() {
  local java="$1" heap="$2"
  # setsid: a Ctrl-C aimed at whoever ran `start` must not reach the broker, which `stop` ends.
  # 8>&- 9>&-: the broker must not inherit (and so hold forever) this script's lock files.
  # shellcheck disable=SC2086 # the heap options are a list of JVM flags
  setsid "$java" $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR" \
    -Dlog4j.configuration="file:$SCRIPT_DIR/log4j.properties" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS_FILE" \
    </dev/null >>"$LOG_DIR/kafka.out" 2>&1 8>&- 9>&- &
  LAUNCHED_PID=$!
  printf '%s\n' "$LAUNCHED_PID" >"$PID_FILE"
}

cmd_start() {
  local java pid log_offset started_at=$SECONDS
  mkdir -p "$STATE_DIR" "$LOG_DIR"
  # Serialises concurrent starts (npm start and a test run, say) of the same mode.
  exec 9>"$STATE_DIR/.lock"
  flock -n 9 || { log "another kafka.sh is starting this Kafka; waiting for it"; flock 9; }

  if pid=$(running_pid) && [[ "$(running_port)" != "$PORT" ]]; then
    die "the Kafka in ${STATE_DIR#"$REPO_ROOT/"} already runs on port $(running_port) (pid $pid); stop it before changing ports"
  elif pid=$(running_pid) && ! kafka_answers "$PORT"; then
    log "Kafka (pid $pid) is running but not answering yet; waiting for it"
    wait_until_ready "$pid" 0 || exit 1
  elif kafka_answers "$PORT"; then
    if pid=$(running_pid); then
      log "Kafka is already running (pid $pid)"
    else
      log "a Kafka already answers on 127.0.0.1:$PORT (not started by this script); not starting another"
    fi
  else
    port_open "$PORT" && die "127.0.0.1:$PORT is taken by something that is not Kafka; set $( ((SASL)) && printf KAFKA_SASL_PORT || printf KAFKA_PORT) to another port"
    port_open "$CONTROLLER_PORT" && die "controller port 127.0.0.1:$CONTROLLER_PORT is taken; set $( ((SASL)) && printf KAFKA_SASL_CONTROLLER_PORT || printf KAFKA_CONTROLLER_PORT) to another port"
    java=$(java_bin)
    fetch_jars
    ((SASL)) && ensure_passwords
    render_properties
    format_storage "$java"

    log_offset=$(file_size "$SERVER_LOG")
    log "starting Kafka on 127.0.0.1:$PORT (controller 127.0.0.1:$CONTROLLER_PORT), waiting up to ${START_TIMEOUT}s"
    launch "$java" "${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
    pid=$LAUNCHED_PID
    wait_until_ready "$pid" "$log_offset" || exit 1
    log "started in $((SECONDS - started_at))s (pid $pid)"
  fi

  if ((SASL)); then
    # ACLs live in the cluster metadata; re-applied only when acls.sh changes (adding is idempotent).
    local marker="$STATE_DIR/acls-applied" want
    want=$(sha256sum "$SCRIPT_DIR/acls.sh" | cut -d' ' -f1)
    if [[ ! -f "$marker" || "$(cat "$marker")" != "$want" ]]; then
      bash "$SCRIPT_DIR/acls.sh" apply
      printf '%s\n' "$want" >"$marker"
    fi
  fi
  printf 'kafka ready on 127.0.0.1:%s\n' "$PORT"
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid); then
    if [[ -f "$PID_FILE" ]]; then
      log "removing stale pid file (pid $(cat "$PID_FILE") is not this Kafka)"
      rm -f "$PID_FILE"
    fi
    if kafka_answers "$PORT"; then
      log "a Kafka answers on 127.0.0.1:$PORT but this script did not start it; leaving it alone"
    else
      log "Kafka is not running"
    fi
    return 0
  fi
  log "stopping Kafka (pid $pid)"
  stop_pid "$pid"
  log "stopped"
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    PORT=$(running_port)
    if kafka_answers "$PORT"; then
      printf 'kafka running on 127.0.0.1:%s (pid %s)\n' "$PORT" "$pid"
      return 0
    fi
    printf 'kafka starting or unresponsive (pid %s, port %s not answering)\n' "$pid" "$PORT"
    return 1
  fi
  if kafka_answers "$PORT"; then
    printf 'kafka running on 127.0.0.1:%s (not started by this script)\n' "$PORT"
    return 0
  fi
  printf 'kafka not running (port %s)\n' "$PORT"
  return 3
}

cmd_logs() {
  [[ -f "$SERVER_LOG" ]] || die "no log yet at ${SERVER_LOG#"$REPO_ROOT/"}"
  if ((FOLLOW)); then
    exec tail -n "${KAFKA_LOG_LINES:-100}" -F "$SERVER_LOG"
  fi
  tail -n "${KAFKA_LOG_LINES:-100}" "$SERVER_LOG"
}

cmd_reset() {
  cmd_stop
  rm -rf "$DATA_DIR" "$LOG_DIR" "$CLUSTER_ID_FILE" "$PROPS_FILE" "$STATE_DIR/acls-applied" "$STATE_DIR/admin.properties"
  log "deleted ${STATE_DIR#"$REPO_ROOT/"}/{data,logs,cluster-id}; the next start formats afresh"
}

# --- cluster mode: three nodes, each its own state folder, ports and pid file ---------------------

select_node() {
  NODE_ID="$1"
  STATE_DIR="$CLUSTER_DIR/node-$1"
  PORT="${CLUSTER_PORTS[$(($1 - 1))]}"
  CONTROLLER_PORT="${CLUSTER_CONTROLLER_PORTS[$(($1 - 1))]}"
  DATA_DIR="$STATE_DIR/data"
  LOG_DIR="$STATE_DIR/logs"
  SERVER_LOG="$LOG_DIR/server.log"
  PID_FILE="$STATE_DIR/kafka.pid"
  PROPS_FILE="$STATE_DIR/server.properties"
}

cluster_bootstrap() {
  local IFS=,
  local with_host=("${CLUSTER_PORTS[@]/#/127.0.0.1:}")
  printf '%s' "${with_host[*]}"
}

cmd_cluster_start() {
  local java n pid started_at=$SECONDS pids=() offsets=()
  mkdir -p "$CLUSTER_DIR"
  exec 9>"$CLUSTER_DIR/.lock"
  flock -n 9 || { log "another kafka.sh is starting the cluster; waiting for it"; flock 9; }
  java=$(java_bin)
  fetch_jars
  # A KRaft quorum needs two of the three controllers: launch every node first, then wait for each.
  for n in 1 2 3; do
    select_node "$n"
    mkdir -p "$STATE_DIR" "$LOG_DIR"
    offsets[n]=$(file_size "$SERVER_LOG")
    if pid=$(running_pid); then
      log "node $n is already running (pid $pid)"
    else
      port_open "$PORT" && die "node $n's port 127.0.0.1:$PORT is taken; set KAFKA_CLUSTER_PORTS"
      port_open "$CONTROLLER_PORT" && die "node $n's controller port 127.0.0.1:$CONTROLLER_PORT is taken; set KAFKA_CLUSTER_CONTROLLER_PORTS"
      render_properties
      format_storage "$java"
      log "starting node $n on 127.0.0.1:$PORT (controller 127.0.0.1:$CONTROLLER_PORT)"
      launch "$java" "${KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}"
      pid=$LAUNCHED_PID
    fi
    pids[n]=$pid
  done
  for n in 1 2 3; do
    select_node "$n"
    kafka_answers "$PORT" || wait_until_ready "${pids[n]}" "${offsets[n]}" || { cmd_cluster_stop; exit 1; }
  done
  log "cluster started in $((SECONDS - started_at))s"
  printf 'kafka cluster ready on %s\n' "$(cluster_bootstrap)"
}

cmd_cluster_stop() {
  local n pid pids=() deadline=$((SECONDS + STOP_TIMEOUT))
  # All at once: stopped one by one, the last two would wait for a quorum that is going away.
  for n in 1 2 3; do
    select_node "$n"
    if pid=$(running_pid); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$PID_FILE"
  done
  ((${#pids[@]} > 0)) || { log "the cluster is not running"; return 0; }
  log "stopping the cluster (pids ${pids[*]})"
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "node pid $pid still running after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  log "stopped"
}

cmd_cluster_status() {
  local n pid up=0
  for n in 1 2 3; do
    select_node "$n"
    if pid=$(running_pid) && kafka_answers "$PORT"; then
      printf 'node %s running on 127.0.0.1:%s (pid %s)\n' "$n" "$PORT" "$pid"
      up=$((up + 1))
    elif pid=$(running_pid); then
      printf 'node %s starting or unresponsive (pid %s, port %s not answering)\n' "$n" "$pid" "$PORT"
    else
      printf 'node %s not running (port %s)\n' "$n" "$PORT"
    fi
  done
  # 0 all three up, 3 none, 1 some: a cluster that lost a node still serves (min.insync.replicas 2).
  ((up == 3)) && return 0
  ((up == 0)) && return 3
  return 1
}

if ((CLUSTER)); then
  case "$COMMAND" in
    start) cmd_cluster_start ;;
    stop) cmd_cluster_stop ;;
    status) cmd_cluster_status ;;
    logs)
      select_node "${KAFKA_NODE:-1}"
      cmd_logs
      ;;
    reset)
      cmd_cluster_stop
      rm -rf "$CLUSTER_DIR"/node-* "$CLUSTER_DIR/cluster-id"
      log "deleted ${CLUSTER_DIR#"$REPO_ROOT/"}; the next start formats afresh"
      ;;
  esac
  exit
fi

case "$COMMAND" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) cmd_logs ;;
  reset) cmd_reset ;;
esac
