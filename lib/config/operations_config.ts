/**
 * The keys about how a run is watched and paced, in both job files: metrics (a
 * /metrics endpoint, a node-exporter textfile, a Pushgateway) and rate limits.
 */
import type { Check, JobFields } from "./job_fields.ts";
import { describeValue } from "./issues.ts";
import { type KindKeyDocs, matching, positive, whole } from "./key_doc.ts";
import { definedOnly, HTTP_URL, httpUrl, positiveNumber, wholeNumber } from "./values.ts";

/** The key table's entries of these keys in both kinds; none has a default. */
export const OPERATIONS_KEY_DOCS: KindKeyDocs = {
  METRICS_PORT: {
    description: "serve /metrics and /healthz on this port while the run lasts",
    value: whole(1, 65535),
  },
  METRICS_FILE: {
    description: "when the run ends, write its metrics to this node-exporter textfile (*.prom)",
    value: matching(/^\s*\S(?:.*\S)?\.prom\s*$/),
  },
  PUSHGATEWAY_URL: {
    description: "when the run ends, push its metrics to this Pushgateway",
    value: matching(HTTP_URL),
  },
  MAX_BYTES_PER_SECOND: {
    description: "at most this many payload bytes (keys and values) per second",
    value: positive,
  },
};

/** The key table's entries of the restore-only one. */
export const RESTORE_OPERATIONS_KEY_DOCS: KindKeyDocs = {
  MAX_RECORDS_PER_SECOND: {
    description: "at most this many records per second produced",
    value: positive,
  },
};

export interface OperationsConfig {
  /** Continuous backup and follow restore serve /metrics and /healthz here (0.0.0.0). */
  metricsPort?: number;
  /** A node-exporter textfile written when the run ends, success or failure. */
  metricsFile?: string;
  /** A Pushgateway the run's metrics are pushed to when it ends. */
  pushgatewayUrl?: string;
  /** Payload bytes (keys and values) per second, for the whole process. */
  maxBytesPerSecond?: number;
  /** Restore: records per second, for the whole process. */
  maxRecordsPerSecond?: number;
}

/** A file path for the textfile collector: node-exporter reads only `*.prom` files. */
const promFile: Check<string> = (value, at) => {
  if (typeof value === "string" && value.trim().endsWith(".prom")) return value.trim();
  return at.fail(
    `expected a path ending in ".prom" (node-exporter's textfile collector), got ${
      describeValue(value)
    }`,
  );
};

export function readOperations(fields: JobFields, kind: "backup" | "restore"): OperationsConfig {
  return definedOnly({
    metricsPort: fields.optional("METRICS_PORT", wholeNumber(1, 65535)),
    metricsFile: fields.optional("METRICS_FILE", promFile),
    pushgatewayUrl: fields.optional("PUSHGATEWAY_URL", httpUrl),
    maxBytesPerSecond: fields.optional("MAX_BYTES_PER_SECOND", positiveNumber),
    maxRecordsPerSecond: kind === "restore"
      ? fields.optional("MAX_RECORDS_PER_SECOND", positiveNumber)
      : undefined,
  });
}
