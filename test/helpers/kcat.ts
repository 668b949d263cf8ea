/**
 * kcat as an independent client: it writes and reads topics with librdkafka, so a test
 * that agrees with kcat does not only agree with our own use of kafkajs.
 */
import type { TestRecord } from "./records.ts";
import { produceWithKafkajs } from "./kafka.ts";

const decoder = new TextDecoder();

async function run(args: string[], stdin?: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command("kcat", {
    args,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) throw new Error(`kcat ${args.join(" ")} failed: ${decoder.decode(out.stderr)}`);
  return out.stdout;
}

/**
 * Produces one record per kcat call (each value from a file, so any bytes work). kcat
 * skips an empty input file, so records with a null or empty value go through kafkajs
 * (`produceWithKafkajs`) instead, in order.
 */
export async function produceWithKcat(
  bootstrap: string,
  topic: string,
  records: TestRecord[],
  options: { compression?: "gzip" | "snappy" | "lz4" | "zstd" } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kcat-" });
  try {
    for (const [i, r] of records.entries()) {
      if (r.value === null || r.value.length === 0) {
        await produceWithKafkajs(bootstrap, topic, [r]);
        continue;
      }
      const file = `${dir}/${i}`;
      await Deno.writeFile(file, r.value ?? new Uint8Array());
      const args = [
        "-P",
        "-b",
        bootstrap,
        "-t",
        topic,
        "-p",
        String(r.partition),
        "-X",
        "message.max.bytes=8000000",
      ];
      if (r.key !== null) args.push("-k", decoder.decode(r.key));
      for (const [k, v] of r.headers) args.push("-H", v === null ? k : `${k}=${decoder.decode(v)}`);
      if (options.compression) args.push("-z", options.compression);
      if (r.timestamp !== undefined) args.push("-X", "message.timeout.ms=30000");
      args.push(file);
      await run(args);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Reads a whole topic (read_committed, to the end) with kcat. Keys and values are
 * binary-exact (length-prefixed output format); headers are parsed from kcat's
 * "name=value" list, so tests that check headers through kcat keep them printable
 * (no commas, and never the literal value "NULL", which is how kcat shows null).
 */
export async function readTopicWithKcat(bootstrap: string, topic: string): Promise<TestRecord[]> {
  const raw = await run([
    "-C",
    "-b",
    bootstrap,
    "-t",
    topic,
    "-e",
    "-q",
    "-o",
    "beginning",
    "-X",
    "isolation.level=read_committed",
    "-f",
    "%p %o %T %K %S %h\n%k%s",
  ]);
  const records: TestRecord[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const nl = raw.indexOf(10, pos);
    const [p, o, t, kLen, vLen, ...headerParts] = decoder.decode(raw.subarray(pos, nl)).split(" ");
    pos = nl + 1;
    const keyLength = Number(kLen);
    const valueLength = Number(vLen);
    const key = keyLength < 0 ? null : raw.slice(pos, pos + keyLength);
    pos += Math.max(keyLength, 0);
    const value = valueLength < 0 ? null : raw.slice(pos, pos + valueLength);
    pos += Math.max(valueLength, 0);
    const headerText = headerParts.join(" ");
    records.push({
      partition: Number(p),
      offset: Number(o),
      timestamp: Number(t),
      key,
      value,
      headers: headerText === ""
        ? []
        : headerText.split(",").map((h): [string, Uint8Array | null] => {
          const eq = h.indexOf("=");
          // kcat prints a null header value as "NULL": tests never use that literal value.
          if (eq < 0 || h.slice(eq + 1) === "NULL") {
            return [h.slice(0, eq < 0 ? h.length : eq), null];
          }
          return [h.slice(0, eq), new TextEncoder().encode(h.slice(eq + 1))];
        }),
    });
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset! - b.offset!);
}

/**
 * Produces `count` sample records in one kcat call (line mode: "key<TAB>value" lines,
 * spread over partitions by kcat's partitioner), fast enough for large demo data.
 */
export async function produceWithKcatLines(
  bootstrap: string,
  topic: string,
  count: number,
): Promise<void> {
  const lines = Array.from(
    { length: count },
    (_, i) =>
      `order-${i % 97}\t{"order":${i},"amount":${(i * 7) % 1000},"note":"sample record ${i}"}`,
  );
  await run(
    ["-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-H", "source=demo", "-z", "zstd"],
    new TextEncoder().encode(lines.join("\n") + "\n"),
  );
}
