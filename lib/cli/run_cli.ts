/**
 * Shared shell of the entry scripts: runs a command, prints a failure clearly, and turns
 * it into the documented exit code. The only place that decides exit codes.
 *
 * A bad command line or job file (exit 2) is told to a person at a terminal as plain
 * text: the problems, one per line, then the usage. When stderr is not a terminal (a cron
 * job, a container's log collector) it is one JSON log line like every other, without the
 * usage text.
 */
import {
  BackupToolError,
  ConfigError,
  exitCodeOf,
  isKafkaClientError,
  UsageError,
} from "../errors.ts";
import { createLogger } from "../log.ts";

const encoder = new TextEncoder();

function printPlain(error: ConfigError): void {
  const usage = error instanceof UsageError ? `\n${error.usage}\n` : "";
  const problems = error.message.split("\n").map((line) => `error: ${line}`).join("\n");
  Deno.stderr.writeSync(encoder.encode(`${problems}\n${usage}`));
}

export async function runCli(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    const logger = createLogger("MainThread");
    if (error instanceof ConfigError && Deno.stderr.isTerminal()) {
      printPlain(error);
    } else if (error instanceof UsageError) {
      logger.error(`${error.message} (see --help)`);
    } else if (error instanceof BackupToolError) {
      logger.error(error.message);
    } else if (isKafkaClientError(error)) {
      logger.error(`Kafka failed a request: ${error.message} (${error.name})`);
    } else {
      logger.error(
        `Internal error (please report): ${error instanceof Error ? error.stack : error}`,
      );
    }
    return exitCodeOf(error);
  }
}
