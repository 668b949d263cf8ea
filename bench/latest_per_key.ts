/**
 * LATEST_PER_KEY's first pass on a large partition: builds a local archive of one
 * partition with `--keys` distinct keys (chunks written with the archive library, no
 * Kafka), then runs the first pass (lib/restore/keep_set.ts) in a fresh process and
 * prints its time and peak RSS. Measures and prints only.
 *
 *   deno run -A bench/latest_per_key.ts [--keys 5000000] [--updates 1] [--work bench/tmp]
 *     [--records-per-bucket N] [--keep]   (--keep: leave the archive in --work)
 */
import { parseArgs } from "node:util";
import { LocalBackend } from "../lib/storage/local.ts";
import { encodeChunk } from "../lib/archive/chunk_encode.ts";
import { readPartitionIndex, storeChunk } from "../lib/archive/store.ts";
import type { ArchivedRecord } from "../lib/archive/record.ts";
import { buildKeepSet } from "../lib/restore/keep_set.ts";

const RECORDS_PER_CHUNK = 50_000;
const encoder = new TextEncoder();

/** `updates` rounds over `keys` keys (16-byte keys, 32-byte values); a tenth of the last round are tombstones. */
async function buildArchive(root: string, keys: number, updates: number): Promise<void> {
  const backend = new LocalBackend(root);
  const total = keys * updates;
  for (let from = 0; from < total; from += RECORDS_PER_CHUNK) {
    const records: ArchivedRecord[] = [];
    for (let offset = from; offset < Math.min(total, from + RECORDS_PER_CHUNK); offset++) {
      const k = offset % keys;
      const tombstone = offset >= total - keys && k % 10 === 0;
      records.push({
        offset,
        timestamp: 1_700_000_000_000 + offset,
        key: encoder.encode(`key-${String(k).padStart(12, "0")}`),
        value: tombstone ? null : encoder.encode(`value ${offset} `.padEnd(32, ".")),
        headers: [],
      });
    }
    const to = records.at(-1)!.offset;
    const meta = { topic: "lpk", partition: 0, from, to, timestampType: "CreateTime" as const };
    await storeChunk(backend, await encodeChunk({ ...meta, codec: "zstd" }, records));
    if ((from / RECORDS_PER_CHUNK) % 20 === 0) console.error(`archive: ${to + 1} of ${total}`);
  }
  await backend.close();
}

/** VmRSS (now) or VmHWM (peak) of this process, in KiB. */
function rssKiB(field: "VmRSS" | "VmHWM"): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
}

/** The first pass alone, in this process: prints its figures as JSON. */
async function firstPass(root: string, recordsPerBucket?: number): Promise<void> {
  const backend = new LocalBackend(root);
  const { entries } = await readPartitionIndex(backend, "lpk", 0);
  const before = rssKiB("VmRSS");
  const started = performance.now();
  const set = await buildKeepSet(backend, {
    entries,
    start: 0,
    last: entries.at(-1)!.to,
    filter: {},
    keepTombstones: false,
  }, { recordsPerBucket });
  const seconds = (performance.now() - started) / 1000;
  const peakKiB = rssKiB("VmHWM");
  console.log(JSON.stringify({
    records: set.inRange,
    kept: set.kept,
    seconds: Number(seconds.toFixed(1)),
    rssBeforeMiB: Math.round(before / 1024),
    peakRssMiB: Math.round(peakKiB / 1024),
    bitmapKiB: set.offsets.bytes / 1024,
  }));
  await backend.close();
}

const { values } = parseArgs({
  options: {
    keys: { type: "string", default: "5000000" },
    updates: { type: "string", default: "1" },
    work: { type: "string", default: new URL("./tmp", import.meta.url).pathname },
    "pass-only": { type: "string" },
    "records-per-bucket": { type: "string" },
    keep: { type: "boolean" },
  },
});
if (values["pass-only"]) {
  const perBucket = values["records-per-bucket"];
  await firstPass(values["pass-only"], perBucket ? Number(perBucket) : undefined);
} else {
  const keys = Number(values.keys);
  const updates = Number(values.updates);
  await Deno.mkdir(values.work, { recursive: true });
  const root = await Deno.makeTempDir({ dir: values.work, prefix: "lpk-" });
  try {
    const building = performance.now();
    await buildArchive(root, keys, updates);
    console.error(`archive built in ${((performance.now() - building) / 1000).toFixed(0)} s`);
    const child = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        "--pass-only",
        root,
        ...(values["records-per-bucket"]
          ? ["--records-per-bucket", values["records-per-bucket"]]
          : []),
      ],
      stderr: "inherit",
    }).output();
    const figures = JSON.parse(new TextDecoder().decode(child.stdout));
    console.log(JSON.stringify({ keys, updates, ...figures }));
  } finally {
    if (values.keep) console.error(`archive kept in ${root}`);
    else await Deno.remove(root, { recursive: true });
  }
}
