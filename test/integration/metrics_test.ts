/**
 * Metrics, read by Prometheus's own text-format parser (Python's prometheus_client): a
 * once run's node-exporter textfile (after a success, then a failure), a continuous
 * backup's /metrics and /healthz, and the exchange with a Pushgateway.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { bytes } from "../helpers/records.ts";
import { expectExit, runScript, spawnScript, terminate, writeJob } from "../helpers/cli.ts";
import { backupJob, restoreJob } from "../helpers/jobs.ts";
import { parsePrometheus, sampleValue } from "../helpers/prometheus.ts";

async function topicOf(records: number): Promise<string> {
  const topic = randomName("metrics");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(
    kafkaBootstrap(),
    topic,
    Array.from({ length: records }, (_, i) => ({
      partition: i % 2,
      key: bytes(`k${i}`),
      value: bytes(`value ${i}`),
      headers: [],
    })),
  );
  return topic;
}

Deno.test("a once backup writes a textfile that Prometheus reads; a failed run adds its exit code and keeps the last success", async () => {
  const topic = await topicOf(300);
  const dir = await Deno.makeTempDir();
  const file = `${dir}/backup.prom`;
  const job = backupJob([topic], `${dir}/archive`, { METRICS_FILE: file });
  const path = await writeJob(job, "nightly.json");
  const started = Date.now() / 1000;
  expectExit(await runScript("backup.ts", [path]), 0);
  const first = await parsePrometheus(await Deno.readTextFile(file));
  const labels = { job_file: "nightly" };
  assert.equal(sampleValue(first, "kafka_backup_records_stored_total", labels), 300);
  assert.equal(sampleValue(first, "kafka_backup_records_read_total", labels), 300);
  assert.equal(sampleValue(first, "kafka_backup_chunks_stored_total", labels), 2);
  for (const partition of ["0", "1"]) {
    assert.equal(sampleValue(first, "kafka_backup_partition_lag_records", { topic, partition }), 0);
  }
  const success = sampleValue(first, "kafka_backup_last_success_timestamp_seconds", labels)!;
  assert.ok(success >= started && success <= Date.now() / 1000 + 1, `last success ${success}`);
  assert.equal(sampleValue(first, "kafka_backup_errors_total", labels), undefined);

  // The cluster is gone: exit 3, and the file says so without losing the last success.
  await Deno.writeTextFile(path, JSON.stringify({ ...job, BOOTSTRAP_SERVERS: "127.0.0.1:1" }));
  expectExit(await runScript("backup.ts", [path]), 3);
  const second = await parsePrometheus(await Deno.readTextFile(file));
  assert.equal(sampleValue(second, "kafka_backup_errors_total", { exit_code: "3" }), 1);
  assert.equal(sampleValue(second, "kafka_backup_last_success_timestamp_seconds", labels), success);
});

Deno.test("a continuous backup serves /metrics and /healthz while it runs", async () => {
  const topic = await topicOf(100);
  const dir = await Deno.makeTempDir();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const job = backupJob([topic], dir, {
    RUN_MODE: "continuous",
    METRICS_PORT: port,
    PROGRESS_INTERVAL_SECONDS: 1,
  });
  const child = spawnScript("backup.ts", [await writeJob(job)]);
  try {
    let samples: Awaited<ReturnType<typeof parsePrometheus>> = [];
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
      if (!response) continue;
      samples = await parsePrometheus(await response.text());
      if (sampleValue(samples, "kafka_backup_records_read_total") === 100) break;
    }
    assert.equal(sampleValue(samples, "kafka_backup_records_read_total"), 100);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    expectExit(await terminate(child), 0);
  }
});

Deno.test("a once restore pushes its metrics to a Pushgateway as its API says (POST, job and grouping in the path)", async () => {
  const topic = await topicOf(50);
  const dir = await Deno.makeTempDir();
  expectExit(await runScript("backup.ts", [await writeJob(backupJob([topic], dir))]), 0);
  const pushes: Array<{ method: string; path: string; type: string; body: string }> = [];
  const gateway = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request) => {
      pushes.push({
        method: request.method,
        path: new URL(request.url).pathname,
        type: request.headers.get("content-type") ?? "",
        body: await request.text(),
      });
      return new Response(null, { status: 200 });
    },
  );
  try {
    const target = randomName("metrics-target");
    await createTopic(kafkaBootstrap(), target, { partitions: 2 });
    const job = restoreJob(topic, target, dir, {
      PUSHGATEWAY_URL: `http://127.0.0.1:${gateway.addr.port}`,
    });
    expectExit(await runScript("restore.ts", [await writeJob(job, "dr.json")]), 0);
  } finally {
    await gateway.shutdown();
  }
  assert.equal(pushes.length, 1);
  const [push] = pushes;
  assert.equal(push.method, "POST");
  assert.equal(push.path, "/metrics/job/kafka-restore/job_file/dr");
  assert.match(push.type, /^text\/plain; version=0\.0\.4/);
  const samples = await parsePrometheus(push.body);
  assert.equal(sampleValue(samples, "kafka_restore_records_restored_total"), 50);
  assert.ok(sampleValue(samples, "kafka_restore_last_success_timestamp_seconds")! > 0);
});
