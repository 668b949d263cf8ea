/**
 * The source -> target offset map of a restore, for translating consumer-group offsets
 * later. With OFFSET_MAP_TOPIC set, every restore transaction also writes, to partition 0
 * of that topic, one record per target partition it produced to:
 *   key   "<source topic>/<source partition>"
 *   value JSON {"sourceTopic","sourcePartition","targetTopic","targetPartition",
 *               "runs": [[sourceOffset, targetOffset, count], ...]}
 * where each run maps `count` consecutive source offsets to consecutive target offsets.
 * It commits with the records it describes, so the map is exactly as complete as the restore.
 */
import { Buffer } from "node:buffer";
import type { Message, RecordMetadata } from "../kafka/kafkajs.ts";

/** One produced batch: the source offsets sent to each target partition, in send order. */
export type SentOffsets = Map<number, number[]>;

/** Runs [sourceStart, targetStart, count] of `sources` written from `targetBase` on. */
export function offsetRuns(sources: number[], targetBase: number): Array<[number, number, number]> {
  const runs: Array<[number, number, number]> = [];
  for (const [i, source] of sources.entries()) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[2] === source) last[2]++;
    else runs.push([source, targetBase + i, 1]);
  }
  return runs;
}

/** The map records for one `send`: its sent source offsets and the broker's answer. */
export function offsetMapMessages(
  source: { topic: string; partition: number },
  targetTopic: string,
  sent: SentOffsets,
  metadata: RecordMetadata[],
): Message[] {
  const messages: Message[] = [];
  for (const m of metadata) {
    const sources = sent.get(m.partition);
    if (!sources || sources.length === 0 || m.baseOffset === undefined) continue;
    messages.push({
      partition: 0,
      key: Buffer.from(`${source.topic}/${source.partition}`),
      value: Buffer.from(JSON.stringify({
        sourceTopic: source.topic,
        sourcePartition: source.partition,
        targetTopic,
        targetPartition: m.partition,
        runs: offsetRuns(sources, Number(m.baseOffset)),
      })),
    });
  }
  return messages;
}
