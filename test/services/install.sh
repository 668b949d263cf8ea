#!/usr/bin/env bash
# Installs everything the tests and the demo need, from the package registries this
# machine reaches, into a cache outside the repository ($KB_CACHE_DIR, default
# ~/.cache/kafka-backup-dev) so that a fresh clone on the same machine starts in seconds.
#   deno     npm package "deno"              (the runtime)
#   kafka    Maven Central jars, run by java  (broker, KRaft combined mode)
#   moto     PyPI "moto[server]"             (S3-compatible server)
#   azurite  npm package "azurite"           (Azure Blob emulator)
#   kcat     Debian package "kcat"           (independent Kafka client)
#   promparse PyPI "prometheus_client"       (Prometheus's text format parser, an oracle)
# Usage: test/services/install.sh [deno|kafka|moto|azurite|kcat|promparse ...]   (default: all)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
mkdir -p "$KB_CACHE_DIR"

say() { printf '[install] %s\n' "$*" >&2; }

install_deno() {
  [ -x "$DENO_BIN" ] && return 0
  say "deno $DENO_VERSION from npm"
  npm install --silent --no-audit --no-fund --prefix "$KB_CACHE_DIR/deno-$DENO_VERSION" "deno@$DENO_VERSION" >&2
  "$DENO_BIN" --version >/dev/null
}

install_kafka() {
  [ -f "$KAFKA_LIBS/.complete" ] && return 0
  say "Apache Kafka $KAFKA_VERSION jars from Maven Central"
  local dir=$KB_CACHE_DIR/kafka-$KAFKA_VERSION
  mkdir -p "$dir"
  sed -e "s/@KAFKA_VERSION@/$KAFKA_VERSION/; s/@LOG4J_VERSION@/$LOG4J_VERSION/g; s/@SLF4J_VERSION@/$SLF4J_VERSION/" \
    "$here/kafka-pom.xml" > "$dir/pom.xml"
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -f "$dir/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime >&2
  touch "$KAFKA_LIBS/.complete"
}

install_moto() {
  [ -f "$MOTO_DIR/.complete" ] && return 0
  say "moto[server] $MOTO_VERSION from PyPI"
  rm -rf "$MOTO_DIR"
  python3 -m pip install --quiet --target "$MOTO_DIR" "moto[server]==$MOTO_VERSION" >&2
  touch "$MOTO_DIR/.complete"
}

install_promparse() {
  [ -f "$PROMPARSE_DIR/.complete" ] && return 0
  say "prometheus_client $PROMETHEUS_CLIENT_VERSION from PyPI"
  rm -rf "$PROMPARSE_DIR"
  python3 -m pip install --quiet --target "$PROMPARSE_DIR" "prometheus_client==$PROMETHEUS_CLIENT_VERSION" >&2
  touch "$PROMPARSE_DIR/.complete"
}

install_azurite() {
  [ -x "$AZURITE_DIR/node_modules/.bin/azurite-blob" ] && return 0
  say "azurite $AZURITE_VERSION from npm"
  npm install --silent --no-audit --no-fund --prefix "$AZURITE_DIR" "azurite@$AZURITE_VERSION" >&2
}

# kcat, and openssl for the TLS listener's test certificates.
install_kcat() {
  command -v kcat >/dev/null && command -v openssl >/dev/null && return 0
  say "kcat and openssl from Debian packages"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq kcat openssl >&2
}

what=${*:-deno kafka moto azurite kcat promparse}
pids=()
for item in $what; do
  "install_$item" & pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ $status = 0 ] || { say "an install step failed (see above)"; exit 1; }
