/**
 * The backup's retention keys: RETENTION_MS and RETENTION_BYTES (per partition, as
 * Kafka's own topic configs: -1 or absent for no limit), and RETENTION_CHECK_SECONDS.
 */
import type { Check, JobFields } from "./job_fields.ts";
import { describeValue } from "./issues.ts";
import { either, type KindKeyDocs, positive, type ValueDoc, whole } from "./key_doc.ts";
import { NUMBER_TEXT, positiveNumber } from "./values.ts";

/** How often a continuous backup applies retention when the job file does not say. */
export const DEFAULT_RETENTION_CHECK_SECONDS = 300;

const LIMIT: ValueDoc = either({ type: "integer", enum: [-1] }, whole(1));

export const RETENTION_KEY_DOCS: KindKeyDocs = {
  RETENTION_MS: {
    description:
      "remove a partition's oldest chunks once their newest record is older than this many milliseconds (-1: never)",
    value: LIMIT,
    default: -1,
  },
  RETENTION_BYTES: {
    description:
      "remove a partition's oldest chunks while the rest still hold this many bytes (-1: no limit)",
    value: LIMIT,
    default: -1,
  },
  RETENTION_CHECK_SECONDS: {
    description: "continuous mode: how often retention is applied",
    value: positive,
    default: DEFAULT_RETENTION_CHECK_SECONDS,
  },
};

/** -1 (no limit, returned as undefined) or a whole number >= 1. */
const limit: Check<number | undefined> = (value, at) => {
  const n = typeof value === "number"
    ? value
    : typeof value === "string" && NUMBER_TEXT.test(value)
    ? Number(value)
    : NaN;
  if (n === -1) return undefined;
  if (Number.isSafeInteger(n) && n >= 1) return n;
  return at.fail(`expected -1 (no limit) or a whole number >= 1, got ${describeValue(value)}`);
};

/** RETENTION_MS and RETENTION_BYTES; an absent one does not limit. */
export interface RetentionPolicy {
  /** A chunk whose newest record is older than this many milliseconds goes. */
  retentionMs?: number;
  /** Oldest chunks go while the partition's chunks would still hold at least this many bytes. */
  retentionBytes?: number;
}

export interface RetentionConfig {
  /** Empty when neither key limits: retention is off. */
  policy: RetentionPolicy;
  checkSeconds: number;
}

export function readRetention(fields: JobFields): RetentionConfig {
  const policy: RetentionPolicy = {};
  const ms = fields.optional("RETENTION_MS", limit);
  const bytes = fields.optional("RETENTION_BYTES", limit);
  if (ms !== undefined) policy.retentionMs = ms;
  if (bytes !== undefined) policy.retentionBytes = bytes;
  return {
    policy,
    checkSeconds: fields.withDefault(
      "RETENTION_CHECK_SECONDS",
      positiveNumber,
      DEFAULT_RETENTION_CHECK_SECONDS,
    ),
  };
}

/** True when the policy removes anything at all. */
export const retentionIsOn = (policy: RetentionPolicy): boolean =>
  policy.retentionMs !== undefined || policy.retentionBytes !== undefined;
