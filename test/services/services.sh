# Starts and stops the real test services on 127.0.0.1 on free ports.
# Source this file, then call `services_start` and `services_stop`. Each service runs
# under `setpriv --pdeathsig KILL`, so it dies with the shell that started it even when
# that shell is killed with SIGKILL; leftovers of older runs are reaped on start.
# After services_start these are exported for the tests:
#   KB_TEST_BOOTSTRAP, KB_TEST_BOOTSTRAP2   two independent single-node Kafka clusters
#   KB_TEST_S3_ENDPOINT                     S3-compatible server (moto)
#   KB_TEST_AZURE_CONNECTION_STRING         Azurite blob endpoint
#   KB_TEST_RUN_DIR                         this run's data and logs (logs/*.log)
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION   test credentials for the S3 server
#   KB_TEST_SASL_BOOTSTRAP, KB_TEST_SASL_USER, KB_TEST_SASL_PASSWORD  SASL listener of kafka
#                                           (kafka has an authorizer: ACLs bind the SASL users only)
#                                           (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), its PLAIN user
#   KB_TEST_SCRAM256_USER, KB_TEST_SCRAM256_PASSWORD  a user that exists only for SCRAM-SHA-256
#   KB_TEST_SCRAM512_USER, KB_TEST_SCRAM512_PASSWORD  a user that exists only for SCRAM-SHA-512
#   KB_TEST_SSL_BOOTSTRAP, KB_TEST_SSL_CA_FILE  TLS listener of kafka, and the CA that signed it
#   KB_TEST_MTLS_BOOTSTRAP                  TLS listener of kafka that requires a client certificate
#   KB_TEST_SASL_SSL_BOOTSTRAP              SASL_SSL listener of kafka (the SCRAM users over TLS)
#   KB_TEST_CLIENT_CERT_FILE, KB_TEST_CLIENT_KEY_FILE  a client certificate (PEM) the CA signed, its key
#   KB_TEST_PROMPARSE_PATH                  PYTHONPATH of prometheus_client (the text format's parser)

_services_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_services_here/versions.sh"

_free_ports() { # prints N free TCP ports on 127.0.0.1
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

_reap_stale_runs() {
  local dir pid
  for dir in "$KB_CACHE_DIR"/runs/*; do
    [ -d "$dir" ] || continue
    pid=$(cat "$dir/owner.pid" 2>/dev/null || echo "")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then continue; fi
    for pidfile in "$dir"/*.service.pid; do
      [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    done
    rm -rf "$dir"
  done
}

# Starts one service in the background; its pid goes to $KB_TEST_RUN_DIR/<name>.service.pid.
_spawn() {
  local name=$1
  shift
  setpriv --pdeathsig KILL "$@" >"$KB_TEST_RUN_DIR/logs/$name.log" 2>&1 &
  echo $! >"$KB_TEST_RUN_DIR/$name.service.pid"
}

# A client certificate signed by the CA in $1, for the mutual TLS listener (client.crt, client.key).
_tls_client_files() {
  local dir=$1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kafka-backup test client" \
    -keyout "$dir/client.key" -out "$dir/client.csr" >/dev/null 2>&1 &&
    openssl x509 -req -in "$dir/client.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
      -days 2 -out "$dir/client.crt" >/dev/null 2>&1
}

# A CA and a server certificate for 127.0.0.1, for the TLS listeners (PEM files in $1).
_tls_files() {
  local dir=$1
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kafka-backup test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1 &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" \
      -out "$dir/server.csr" >/dev/null 2>&1 &&
    printf 'subjectAltName=IP:127.0.0.1\n' >"$dir/san.ext" &&
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
      -days 2 -extfile "$dir/san.ext" -out "$dir/server.crt" >/dev/null 2>&1 &&
    openssl pkcs8 -topk8 -nocrypt -in "$dir/server.key" -out "$dir/server.p8" &&
    cat "$dir/server.p8" "$dir/server.crt" >"$dir/server.pem" &&
    _tls_client_files "$dir"
}

_kafka_config() { # dir port controller_port [sasl_port] [ssl_port] [mtls_port] [sasl_ssl_port]
  local listeners="PLAINTEXT://127.0.0.1:$2,CONTROLLER://127.0.0.1:$3" advertised="PLAINTEXT://127.0.0.1:$2"
  local sasl="" ssl="" mtls="" sasl_ssl=""
  if [ -n "${5:-}" ]; then
    # A TLS listener for the encryption tests (certificate signed by a CA of this run).
    _tls_files "$KB_TEST_RUN_DIR/tls" || return 1
    listeners="$listeners,SSL://127.0.0.1:$5"
    advertised="$advertised,SSL://127.0.0.1:$5"
    ssl="ssl.keystore.type=PEM
ssl.keystore.location=$KB_TEST_RUN_DIR/tls/server.pem"
  fi
  if [ -n "${6:-}" ]; then
    # Mutual TLS: the same server certificate, and a client certificate from the run's CA required.
    listeners="$listeners,MTLS://127.0.0.1:$6"
    advertised="$advertised,MTLS://127.0.0.1:$6"
    mtls="listener.name.mtls.ssl.client.auth=required
listener.name.mtls.ssl.truststore.type=PEM
listener.name.mtls.ssl.truststore.location=$KB_TEST_RUN_DIR/tls/ca.pem"
  fi
  if [ -n "${7:-}" ]; then
    # SASL over TLS (SASL_SSL): the SCRAM users, with the server certificate of the SSL listener.
    listeners="$listeners,SASL_SSL://127.0.0.1:$7"
    advertised="$advertised,SASL_SSL://127.0.0.1:$7"
    sasl_ssl="listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
  fi
  if [ -n "${4:-}" ]; then
    # A SASL listener for the authentication tests: PLAIN users (backup, admin) from the JAAS
    # config, SCRAM users from the cluster metadata (added when the storage is formatted).
    listeners="$listeners,SASL_PLAINTEXT://127.0.0.1:$4"
    advertised="$advertised,SASL_PLAINTEXT://127.0.0.1:$4"
    sasl="sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\" user_backup=\"backup-secret\";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
# ACLs for the refusal tests. A resource without ACLs stays open to everyone, and the
# PLAINTEXT and SSL clients (ANONYMOUS) and admin are super users: only what a test denies
# the SASL users is refused.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=true
super.users=User:ANONYMOUS;User:admin"
  fi
  cat >"$1/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$3
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL,SASL_SSL:SASL_SSL
$sasl
$sasl_ssl
$ssl
$mtls
log.dirs=$1/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
group.initial.rebalance.delay.ms=0
message.max.bytes=8388608
replica.fetch.max.bytes=8388608
log.cleaner.backoff.ms=1000
PROPS
  cat >"$1/log4j2.yaml" <<YAML
Configuration:
  Appenders:
    File:
      name: F
      fileName: $1/server.log
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: F
YAML
}

# The StorageTool arguments that add the SCRAM users (KIP-900): one user per mechanism, so a
# login only works with the mechanism named.
_scram_users() {
  printf '%s\n' --add-scram "SCRAM-SHA-256=[name=$KB_TEST_SCRAM256_USER,password=$KB_TEST_SCRAM256_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$KB_TEST_SCRAM512_USER,password=$KB_TEST_SCRAM512_PASSWORD]"
}

# Writes the config of one Kafka broker and formats its storage.
# Args: name port controller_port [sasl_port] [ssl_port] [mtls_port].
kafka_format() {
  local name=$1 dir=$KB_TEST_RUN_DIR/$1 scram=()
  mkdir -p "$dir/data"
  _kafka_config "$dir" "$2" "$3" "${4:-}" "${5:-}" "${6:-}" "${7:-}" || return 1
  [ -z "${4:-}" ] || mapfile -t scram < <(_scram_users)
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$dir/log4j2.yaml" \
    kafka.tools.StorageTool format \
    --cluster-id="$(python3 -c 'import uuid,base64;print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')" \
    "${scram[@]}" -c "$dir/server.properties" >"$KB_TEST_RUN_DIR/logs/$name-format.log" 2>&1 || {
    echo "[services] formatting $name failed: $(tail -n 3 "$KB_TEST_RUN_DIR/logs/$name-format.log")" >&2
    return 1
  }
}

# Starts a formatted broker (KRaft, combined broker+controller). Must run in the shell that
# owns the services, not in a subshell: the broker dies with its parent. Args: name.
kafka_start() {
  local name=$1 dir=$KB_TEST_RUN_DIR/$1
  _spawn "$name" java -Xms256m -Xmx768m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$dir/log4j2.yaml" kafka.Kafka "$dir/server.properties"
}

s3_start() { # port
  _spawn s3 env PYTHONPATH="$MOTO_DIR" python3 -m moto.server -H 127.0.0.1 -p "$1"
}

azurite_start() { # port
  mkdir -p "$KB_TEST_RUN_DIR/azurite"
  _spawn azurite node "$AZURITE_DIR/node_modules/azurite/dist/src/blob/main.js" \
    --blobHost 127.0.0.1 --blobPort "$1" --location "$KB_TEST_RUN_DIR/azurite" \
    --skipApiVersionCheck --loose
}

# Stops a service started by this run (used by tests that restart a server mid-run).
service_stop() {
  local pidfile=$KB_TEST_RUN_DIR/$1.service.pid
  [ -f "$pidfile" ] || return 0
  kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
}

_wait_http() { # url name
  local i
  for i in $(seq 1 300); do
    curl -s -o /dev/null -m 1 "$1" && return 0
    sleep 0.1
  done
  echo "[services] $2 did not answer on $1" >&2
  return 1
}

# Starts the services: "all" (default) or "kafka" (one broker only, for the demo).
services_start() {
  local which=${1:-all} started=$SECONDS
  _reap_stale_runs
  export KB_TEST_RUN_DIR=$KB_CACHE_DIR/runs/run-$$
  mkdir -p "$KB_TEST_RUN_DIR/logs"
  echo $$ >"$KB_TEST_RUN_DIR/owner.pid"
  local ports
  read -r -a ports <<<"$(_free_ports 10)"
  export KB_TEST_BOOTSTRAP=127.0.0.1:${ports[0]}
  export KB_TEST_BOOTSTRAP2=127.0.0.1:${ports[2]}
  export KB_TEST_S3_ENDPOINT=http://127.0.0.1:${ports[4]}
  export KB_TEST_AZURE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${ports[5]}/devstoreaccount1;"
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  export KB_TEST_SASL_BOOTSTRAP=127.0.0.1:${ports[6]} KB_TEST_SASL_USER=backup KB_TEST_SASL_PASSWORD=backup-secret
  export KB_TEST_SCRAM256_USER=scram256 KB_TEST_SCRAM256_PASSWORD=scram256-Secret-Vx93Qe
  export KB_TEST_SCRAM512_USER=scram512 KB_TEST_SCRAM512_PASSWORD=scram512-Secret-Hk27Ld
  export KB_TEST_SSL_BOOTSTRAP=127.0.0.1:${ports[7]} KB_TEST_SSL_CA_FILE=$KB_TEST_RUN_DIR/tls/ca.pem
  export KB_TEST_MTLS_BOOTSTRAP=127.0.0.1:${ports[8]} KB_TEST_SASL_SSL_BOOTSTRAP=127.0.0.1:${ports[9]}
  export KB_TEST_CLIENT_CERT_FILE=$KB_TEST_RUN_DIR/tls/client.crt KB_TEST_CLIENT_KEY_FILE=$KB_TEST_RUN_DIR/tls/client.key
  export KB_TEST_PROMPARSE_PATH=$PROMPARSE_DIR
  # Ports for restarts (tests stop and start the same service on the same port).
  printf '%s\n' "kafka ${ports[0]} ${ports[1]}" "kafka2 ${ports[2]} ${ports[3]}" \
    "s3 ${ports[4]}" "azurite ${ports[5]}" >"$KB_TEST_RUN_DIR/ports"

  if [ "$which" = kafka ]; then
    kafka_format kafka "${ports[0]}" "${ports[1]}" "${ports[6]}" "${ports[7]}" "${ports[8]}" "${ports[9]}" || return 1
    kafka_start kafka
    "$DENO_BIN" run --allow-net --allow-env --allow-read "$_services_here/wait_kafka.ts" "$KB_TEST_BOOTSTRAP" || {
      echo "[services] start failed; logs in $KB_TEST_RUN_DIR/logs" >&2
      return 1
    }
    echo "[services] kafka $KB_TEST_BOOTSTRAP: ready in $((SECONDS - started)) s" >&2
    return 0
  fi
  local format1 format2
  kafka_format kafka "${ports[0]}" "${ports[1]}" "${ports[6]}" "${ports[7]}" "${ports[8]}" "${ports[9]}" &
  format1=$!
  kafka_format kafka2 "${ports[2]}" "${ports[3]}" &
  format2=$!
  wait "$format1" && wait "$format2" || return 1
  kafka_start kafka
  kafka_start kafka2
  s3_start "${ports[4]}"
  azurite_start "${ports[5]}"
  _wait_http "$KB_TEST_S3_ENDPOINT" s3 && _wait_http "http://127.0.0.1:${ports[5]}/devstoreaccount1?comp=list" azurite &&
    "$DENO_BIN" run --allow-net --allow-env --allow-read "$_services_here/wait_kafka.ts" \
      "$KB_TEST_BOOTSTRAP" "$KB_TEST_BOOTSTRAP2" || {
    echo "[services] start failed; logs in $KB_TEST_RUN_DIR/logs" >&2
    return 1
  }
  echo "[services] kafka $KB_TEST_BOOTSTRAP, kafka2 $KB_TEST_BOOTSTRAP2, s3 $KB_TEST_S3_ENDPOINT, azurite ${ports[5]}: ready in $((SECONDS - started)) s" >&2
}

services_stop() {
  [ -n "${KB_TEST_RUN_DIR:-}" ] && [ -d "$KB_TEST_RUN_DIR" ] || return 0
  local pidfile
  for pidfile in "$KB_TEST_RUN_DIR"/*.service.pid; do
    [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}

# Prints the tail of every service log (called when tests fail).
services_print_logs() {
  local f
  for f in "$KB_TEST_RUN_DIR"/logs/*.log "$KB_TEST_RUN_DIR"/kafka*/server.log; do
    [ -f "$f" ] || continue
    echo "----- $f (last 40 lines)"
    tail -n 40 "$f"
  done
}
