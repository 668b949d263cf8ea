/** Runs a command with its metrics: served while it runs, published when it ends. */
import { exitCodeOf } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { OperationsConfig } from "../config/operations_config.ts";
import { type RunKind, RunMetrics } from "./run_metrics.ts";
import { publishAtEnd, serveMetrics } from "./publish.ts";

/**
 * Runs `run` with a fresh RunMetrics: /metrics and /healthz on METRICS_PORT meanwhile;
 * a success or the failure's exit code recorded; the textfile and the Pushgateway
 * written when it ends, either way.
 */
export async function withMetrics<T>(
  kind: RunKind,
  job: { file: string; operations: OperationsConfig },
  logger: Logger,
  run: (metrics: RunMetrics) => Promise<T>,
): Promise<T> {
  const metrics = new RunMetrics(kind, job.file);
  const { metricsPort } = job.operations;
  const stopServing = metricsPort ? serveMetrics(metrics, metricsPort, logger) : null;
  try {
    const result = await run(metrics);
    metrics.succeeded();
    return result;
  } catch (error) {
    metrics.failed(exitCodeOf(error));
    throw error;
  } finally {
    await publishAtEnd(metrics, job.operations, logger);
    await stopServing?.();
  }
}
