/**
 * Where a run's metrics go: a /metrics and /healthz endpoint while it runs
 * (METRICS_PORT), and when it ends, success or failure, a node-exporter textfile
 * (METRICS_FILE) and/or a push to a Pushgateway (PUSHGATEWAY_URL).
 */
import { dirname, join } from "node:path";
import { Pushgateway } from "prom-client";
import type { Logger } from "../log.ts";
import type { RunMetrics } from "./run_metrics.ts";

/** Serves /metrics and /healthz on `port` (all interfaces); returns how to stop it. */
export function serveMetrics(
  metrics: RunMetrics,
  port: number,
  logger: Logger,
): () => Promise<void> {
  const server = Deno.serve({ port, hostname: "0.0.0.0", onListen: () => {} }, async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/metrics") {
      return new Response(await metrics.text(), {
        headers: { "content-type": metrics.registry.contentType },
      });
    }
    if (pathname === "/healthz") {
      return new Response(metrics.healthy ? "ok\n" : "failing\n", {
        status: metrics.healthy ? 200 : 503,
      });
    }
    return new Response("not found\n", { status: 404 });
  });
  logger.info(`metrics on http://0.0.0.0:${port}/metrics`);
  return () => server.shutdown();
}

const lastSuccessName = (metrics: RunMetrics) =>
  `kafka_${metrics.kind}_last_success_timestamp_seconds`;

/** The last-success time a previous run wrote into the textfile at `path`, if any. */
async function previousLastSuccess(path: string, name: string): Promise<number | null> {
  const text = await Deno.readTextFile(path).catch(() => "");
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * Drops the last-success gauge when this run set none, so a failed run never reports a
 * success at 0 (a Pushgateway then keeps the last pushed value; a textfile is given the
 * previous file's, by the caller).
 */
function withoutUnsetSuccess(metrics: RunMetrics): void {
  if (metrics.lastSuccess() === null) {
    metrics.registry.removeSingleMetric(lastSuccessName(metrics));
  }
}

/** Writes the textfile atomically (temporary file, then rename), keeping the last success. */
export async function writeTextfile(metrics: RunMetrics, path: string): Promise<void> {
  if (metrics.lastSuccess() === null) {
    const previous = await previousLastSuccess(path, lastSuccessName(metrics));
    if (previous !== null) metrics.succeeded(previous * 1000);
  }
  withoutUnsetSuccess(metrics);
  const temp = join(dirname(path), `.${crypto.randomUUID()}.prom.tmp`);
  await Deno.writeTextFile(temp, await metrics.text());
  await Deno.rename(temp, path);
}

/** Adds this run's metrics to the Pushgateway's group for this job (POST). */
export async function pushMetrics(metrics: RunMetrics, url: string): Promise<void> {
  withoutUnsetSuccess(metrics);
  const headers = { "Content-Type": metrics.registry.contentType };
  const gateway = new Pushgateway(url, { timeout: 10_000, headers }, metrics.registry);
  // One group per job file: a POST replaces the group's metrics of the same names.
  await gateway.pushAdd({
    jobName: `kafka-${metrics.kind}`,
    groupings: { job_file: metrics.jobName },
  });
}

/** Publishes at the end of a run; a failure to publish is logged, never the run's failure. */
export async function publishAtEnd(
  metrics: RunMetrics,
  options: { metricsFile?: string; pushgatewayUrl?: string },
  logger: Logger,
): Promise<void> {
  if (options.metricsFile) {
    await writeTextfile(metrics, options.metricsFile).catch((error) =>
      logger.warn(`cannot write the metrics file ${options.metricsFile}: ${error.message}`)
    );
  }
  if (options.pushgatewayUrl) {
    await pushMetrics(metrics, options.pushgatewayUrl).catch((error) =>
      logger.warn(`cannot push metrics to ${options.pushgatewayUrl}: ${error.message}`)
    );
  }
}
