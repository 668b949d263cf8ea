/**
 * Found by the benchmark: two Workers of one backup stored overlapping chunks of a
 * partition. A chunk was still being written in the background when its partition moved
 * to the other Worker, which resumed from an archive without it (and removed the
 * half-written file as a crash leftover). A member now makes its chunks durable before it
 * rejoins the group. Two consumers run here in one process against the real broker; the
 * first one's chunk writes are held back until the second has asked to join.
 */
import assert from "node:assert/strict";
import { kafkaBootstrap, randomName } from "../helpers/env.ts";
import { createTopic, produceWithKafkajs } from "../helpers/kafka.ts";
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes, describeRecord } from "../helpers/records.ts";
import { backupJob } from "../helpers/jobs.ts";
import { duplicates, readArchive } from "../helpers/archive.ts";
import { parseBackupJob } from "../../lib/config/backup_job.ts";
import { createKafka } from "../../lib/kafka/client.ts";
import { createLogger, setLogLevel } from "../../lib/log.ts";
import { LocalBackend } from "../../lib/storage/local.ts";
import type { StorageBackend } from "../../lib/storage/backend.ts";
import { BackupConsumer } from "../../lib/backup/consumer.ts";
import { DirectSink } from "../../lib/backup/chunk_sink.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A local archive whose chunk writes wait until `open()` is called. */
function gatedBackend(dir: string) {
  const inner = new LocalBackend(dir);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let held = 0;
  const backend: StorageBackend = {
    location: inner.location,
    put: async (key, data) => {
      if (key.endsWith(".chunk")) {
        held++;
        await gate;
      }
      return inner.put(key, data);
    },
    get: (key) => inner.get(key),
    getStream: (key) => inner.getStream(key),
    stat: (key) => inner.stat(key),
    list: (prefix) => inner.list(prefix),
    delete: (key) => inner.delete(key),
    close: () => inner.close(),
  };
  return { backend, open, held: () => held };
}

function consumer(name: string, job: Record<string, unknown>, topic: string, sink: StorageBackend) {
  const parsed = parseBackupJob(`${name}.json`, job);
  const logger = createLogger(name);
  const failures: unknown[] = [];
  const backup = new BackupConsumer({
    kafka: createKafka(parsed.kafka, `rebalance-${name}`, logger),
    job: parsed,
    topics: [topic],
    endOffsets: null,
    timestampTypes: {},
    sink: new DirectSink(sink, logger, (error) => failures.push(error)),
    logger,
    // Each stands for a backup process of its own.
    member: { process: name, threads: 1, index: 0 },
  });
  const start = async () => {
    await backup.prepare((error) => failures.push(error));
    await backup.run();
  };
  return { backup, failures, start };
}

Deno.test("a chunk still being written when its partition moves to another Worker is stored once", async () => {
  setLogLevel(40);
  const topic = randomName("rebalance-write");
  await createTopic(kafkaBootstrap(), topic, { partitions: 2 });
  await produceWithKafkajs(
    kafkaBootstrap(),
    topic,
    Array.from({ length: 100 }, (_, i) => ({
      partition: i % 2,
      key: bytes(`key-${i}`),
      value: bytes(`value ${i}`),
      headers: [],
    })),
  );
  const dir = await Deno.makeTempDir();
  const group = `${topic}-backup`;
  const gated = gatedBackend(dir);
  const job = (recordsPerChunk: number) =>
    backupJob([topic], dir, {
      GROUP_ID: group,
      RUN_MODE: "continuous",
      NUMBER_OF_MESSAGE_PER_BACKUP_FILE: recordsPerChunk,
      MAX_CHUNK_AGE_SECONDS: 1,
    });
  // The first member seals chunks of 20 records, whose writes are held back.
  const first = consumer("first", job(20), topic, gated.backend);
  // The second stores whatever it holds after a second, so it would store early overlaps.
  const second = consumer("second", job(1000), topic, new LocalBackend(dir));
  try {
    await first.start();
    for (let i = 0; i < 200 && gated.held() === 0; i++) await sleep(50);
    assert.ok(gated.held() > 0, "the first member never sealed a chunk");
    // The second member's join completes only once the first has rejoined: not awaited.
    const secondStarted = second.start();
    // Long enough for the rebalance and the second member's age-based store, had the first
    // member rejoined without waiting for its writes.
    await sleep(4000);
    gated.open();
    await secondStarted;
    // Both members then settle: every record stored by one of them.
    const inKafka = await readTopicWithKcat(kafkaBootstrap(), topic);
    for (let i = 0; i < 100; i++) {
      const archived = await readArchive(dir, topic).catch(() => ({ records: [] }));
      if (archived.records.length >= inKafka.length) break;
      await sleep(200);
    }
    await Promise.all([first.backup.stop(), second.backup.stop()]);
    assert.deepEqual([...first.failures, ...second.failures], []);

    const archived = await readArchive(dir, topic);
    assert.deepEqual(duplicates(archived.records), []);
    assert.deepEqual(
      archived.records.map((r) => describeRecord(r, { offset: true })),
      inKafka.map((r) => describeRecord(r, { offset: true })),
    );
  } finally {
    gated.open();
    await Promise.allSettled([first.backup.stop(), second.backup.stop()]);
  }
});
