#!/usr/bin/env bash
# The test command: installs what is missing, starts the real services, runs `deno test`
# with any arguments given (default: the whole suite), prints service logs on failure,
# and stops the services. Usage: bash test/run.sh [deno test args, e.g. a file or --filter]
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash test/services/install.sh || exit 1
. test/services/services.sh
export PATH="$(dirname "$DENO_BIN"):$PATH"
trap services_stop EXIT
trap 'exit 130' INT TERM
services_start || { services_print_logs; exit 1; }
deno install --quiet >/dev/null 2>&1 || deno install
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(test/)
deno test -A --no-check=remote "${args[@]}"
status=$?
[ $status = 0 ] || services_print_logs >&2
exit $status
