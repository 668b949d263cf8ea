/**
 * The one door to kafkajs. Everything that talks to Kafka imports it from here, so the
 * fidelity patch and the compression codecs are always in place first.
 */
import process from "node:process";
import "./ordered_headers.ts";
import "./fast_paths.ts";
import "./fast_batch_decoder.ts";
import "./fetch_response.ts";
import "./fast_produce.ts";
import "./fast_request.ts";
import "./before_join.ts";
import "./patches/concurrent_transactions.ts";
import "./patches/coordinator_cache.ts";
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
export { headersFor, headersOf } from "./ordered_headers.ts";
export { beforeEveryJoin } from "./before_join.ts";
export type { HeaderList } from "./ordered_headers.ts";
