#!/usr/bin/env bash
# Builds the single kafka-backup binary for each target into dist/ (deno task compile).
# deno compile embeds a Worker module or a dynamically imported module only when it is
# named with --include: without them the binary fails at its first Worker. The list below
# is checked by test/unit/compile_includes_test.ts against every such module in lib/.
# deno compile downloads its runtime (denort) for each target from dl.deno.land: run this
# where that host is reachable.
set -uo pipefail
cd "$(dirname "$0")/.."
includes=(
  lib/backup/worker.ts
  lib/restore/worker.ts
  lib/storage/s3.ts
  lib/storage/azure.ts
  lib/kafka/snappy_lz4.ts
)
targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin)
[ $# -gt 0 ] && targets=("$@")
args=()
for module in "${includes[@]}"; do args+=(--include "$module"); done
mkdir -p dist
status=0
for target in "${targets[@]}"; do
  out=dist/kafka-backup-$target
  if deno compile --allow-net --allow-read --allow-write --allow-env --allow-sys \
    "${args[@]}" --target "$target" -o "$out" kafka-backup.ts; then
    echo "built $out"
  else
    echo "could not build $out: deno compile downloads its runtime for $target from" \
      "dl.deno.land; build on a machine that can reach it" >&2
    status=1
  fi
done
exit $status
