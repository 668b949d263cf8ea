# Pinned versions of everything the test suite installs. Sourced by install.sh and start.sh.
# Kafka 4.1.1: the 4.x line is what new clusters run (KRaft only); kafkajs 2.2.4 was
# verified against it (produce, consume in groups, transactions).
DENO_VERSION=2.9.6
KAFKA_VERSION=4.1.1
LOG4J_VERSION=2.24.3
SLF4J_VERSION=2.0.16
MOTO_VERSION=5.2.5
AZURITE_VERSION=3.37.0
PROMETHEUS_CLIENT_VERSION=0.21.1

KB_CACHE_DIR=${KB_CACHE_DIR:-$HOME/.cache/kafka-backup-dev}
DENO_BIN=$KB_CACHE_DIR/deno-$DENO_VERSION/node_modules/.bin/deno
KAFKA_LIBS=$KB_CACHE_DIR/kafka-$KAFKA_VERSION/libs
MOTO_DIR=$KB_CACHE_DIR/moto-$MOTO_VERSION
AZURITE_DIR=$KB_CACHE_DIR/azurite-$AZURITE_VERSION
PROMPARSE_DIR=$KB_CACHE_DIR/prometheus-client-$PROMETHEUS_CLIENT_VERSION
