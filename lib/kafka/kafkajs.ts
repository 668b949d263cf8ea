/**
 * The one door to kafkajs. Everything that talks to Kafka imports it from here, so the
 * patches (patches/install.ts) and the compression codecs are always in place first.
 */
import process from "node:process";
// First: the patches install themselves as this loads, before kafkajs's modules load.
import "./patches/install.ts";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { lz4Codec, snappyCodec, zstdCodec } from "./codecs.ts";

CompressionCodecs[CompressionTypes.Snappy] = snappyCodec;
CompressionCodecs[CompressionTypes.LZ4] = lz4Codec;
CompressionCodecs[CompressionTypes.ZSTD] = zstdCodec;

// kafkajs schedules a timer with a negative delay when idle (Node clamps it to 1 ms);
// the runtime's warning about it is noise on the operator's terminal.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const name = typeof warning === "string" ? rest[0] : warning.name;
  if (name === "TimeoutNegativeWarning" || String(warning).includes("is a negative number")) return;
  // deno-lint-ignore no-explicit-any
  return (emitWarning as any)(warning, ...rest);
}) as typeof process.emitWarning;

export * from "kafkajs";
export { consumedRecord, producedMessage } from "./adapters.ts";
export type { ProducedRecord } from "./adapters.ts";
export type { HeaderList, WireRecord } from "./protocol/records.ts";
export { beforeEveryJoin } from "./patches/before_join.ts";
