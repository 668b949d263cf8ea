/**
 * kcat (librdkafka, C) as the ceiling: how fast this broker on this machine takes and gives
 * records, so our figures read as a fraction of what the machine can do at all.
 */
import { expectSuccess, measure, type Measured } from "./measure.ts";
import { lineBytes } from "./dataset.ts";

/** Where and how kcat produces. */
export interface ProduceTarget {
  bootstrap: string;
  topic: string;
  compression: "none" | "lz4";
  timeoutSeconds: number;
}

/**
 * Produces the dataset file in one kcat call: "-K \t" splits key from value, "\n" ends a
 * record. With `records`, only the file's first records go, through stdin (a smaller topic
 * from the same data); otherwise kcat reads the file itself (-l), as the timed ceiling.
 */
export async function kcatProduce(
  target: ProduceTarget,
  file: string,
  recordSize: number,
  records?: number,
): Promise<Measured> {
  const args = [
    "-P",
    "-b",
    target.bootstrap,
    "-t",
    target.topic,
    "-K",
    "\t",
    "-z",
    target.compression,
    "-X",
    "message.max.bytes=8000000",
  ];
  const result = records === undefined
    ? await measure("kcat", [...args, "-l", file], { timeoutSeconds: target.timeoutSeconds })
    : await measure("kcat", args, {
      stdinFile: file,
      stdinBytes: records * lineBytes(recordSize),
      timeoutSeconds: target.timeoutSeconds,
    });
  return expectSuccess(`kcat -P ${target.topic}`, result);
}

/** Reads the whole topic to /dev/null: keys and values only, as a backup reads them. */
export async function kcatConsume(
  bootstrap: string,
  topic: string,
  timeoutSeconds: number,
): Promise<Measured> {
  const result = await measure("kcat", [
    "-C",
    "-b",
    bootstrap,
    "-t",
    topic,
    "-e",
    "-q",
    "-o",
    "beginning",
    "-f",
    "%k%s",
  ], { stdout: "null", timeoutSeconds });
  return expectSuccess(`kcat -C ${topic}`, result);
}
