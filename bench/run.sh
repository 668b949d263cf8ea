#!/usr/bin/env bash
# The benchmark command (`deno task bench [flags]`): installs what is missing, starts the
# real services (two Kafka brokers, moto S3, Azurite) on free ports, runs bench/bench.ts
# with the flags given, and stops the services. Usage: bash bench/run.sh [--help | flags]
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. test/services/versions.sh
for arg in "$@"; do # --help needs no services
  case $arg in -h | --help) [ -x "$DENO_BIN" ] && exec "$DENO_BIN" run -A bench/bench.ts --help ;; esac
done
bash test/services/install.sh || exit 1
. test/services/services.sh
export PATH="$(dirname "$DENO_BIN"):$PATH"
trap services_stop EXIT
trap 'exit 130' INT TERM
services_start || { services_print_logs; exit 1; }
deno install --quiet >/dev/null 2>&1 || deno install
deno run -A bench/bench.ts "$@"
status=$?
[ $status = 0 ] || services_print_logs >&2
exit $status
