#!/usr/bin/env bash
# The README's first command: installs what it needs, starts a local Kafka broker, fills a
# sample topic (and a consumer group that has read a third of it), backs it up with
# configs/backup.json into a local directory, restores it with configs/restore.json into a
# new topic with the group's offsets, and compares the two record by record.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash test/services/install.sh deno kafka kcat
. test/services/services.sh
export PATH="$(dirname "$DENO_BIN"):$PATH"
trap services_stop EXIT
services_start kafka
deno install --quiet >/dev/null 2>&1 || deno install

export KAFKA_BOOTSTRAP_SERVERS=$KB_TEST_BOOTSTRAP
export BACKUP_DIR=$KB_TEST_RUN_DIR/demo-backup
perms=(--allow-net --allow-read --allow-write --allow-env --allow-sys)

echo "== 1. a topic demo.orders with 3 partitions and 3,000 records (written by kcat), a group that read a third"
deno run --allow-all test/demo/fill_topic.ts "$KB_TEST_BOOTSTRAP" demo.orders 3 3000 demo.billing

echo "== 2. backup.ts configs/backup.json  ->  $BACKUP_DIR"
deno run "${perms[@]}" backup.ts configs/backup.json

echo "== 3. restore.ts --list-points configs/restore.json"
deno run "${perms[@]}" restore.ts --list-points configs/restore.json

echo "== 4. restore.ts configs/restore.json  ->  topic demo.orders.restored"
deno run "${perms[@]}" restore.ts configs/restore.json

echo "== 5. verification (kcat reads both topics; a consumer of demo.billing reads the restored one)"
deno run --allow-all test/demo/compare_topics.ts "$KB_TEST_BOOTSTRAP" demo.orders demo.orders.restored demo.billing
