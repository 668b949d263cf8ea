#!/usr/bin/env bash
# `deno task chaos`: starts the test services and runs the chaos loop (default 20 iterations).
# Usage: bash test/chaos/run.sh [--iterations N] [--records N] [--seed N]
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
bash test/services/install.sh || exit 1
. test/services/services.sh
export PATH="$(dirname "$DENO_BIN"):$PATH"
trap services_stop EXIT
services_start || { services_print_logs; exit 1; }
deno run -A test/chaos/chaos.ts "$@"
