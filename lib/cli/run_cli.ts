/**
 * Shared shell of both entry scripts: runs a command, prints a failure as one clear line,
 * and turns it into the documented exit code. The only place that decides exit codes.
 */
import { BackupToolError, exitCodeOf, isKafkaClientError } from "../errors.ts";
import { createLogger } from "../log.ts";

export async function runCli(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    const logger = createLogger("MainThread");
    if (error instanceof BackupToolError) {
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
