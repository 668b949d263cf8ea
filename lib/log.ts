/**
 * JSON log lines in the shape of the Python kafka-backup's:
 * {"@timestamp":"2026-11-22 10:56:34,557","level":"INFO","thread":"Kafka Consumer 0","name":"root","message":"..."}
 * Written to stderr so that stdout stays free for command output (tables, --json, summaries).
 * Levels use Python's numbers (DEBUG 10, INFO 20, WARNING 30, ERROR 40).
 */

export const LogLevel = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 } as const;
export type LogLevelName = keyof typeof LogLevel;

const encoder = new TextEncoder();
let threshold: number = LogLevel.INFO;

/** Sets the process-wide level (each Worker sets its own from the job it is given). */
export function setLogLevel(level: number): void {
  threshold = level;
}

export function getLogLevel(): number {
  return threshold;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** "2026-11-22 10:56:34,557" in UTC, as Python's logging prints it. */
export function formatTimestamp(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())},` +
    pad(date.getUTCMilliseconds(), 3);
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger whose lines carry `thread` (e.g. "MainThread", "Kafka Consumer 2"). */
export function createLogger(thread: string, name = "root"): Logger {
  const write = (levelName: LogLevelName, message: string) => {
    if (LogLevel[levelName] < threshold) return;
    const line = JSON.stringify({
      "@timestamp": formatTimestamp(new Date()),
      level: levelName,
      thread,
      name,
      message,
    });
    Deno.stderr.writeSync(encoder.encode(line + "\n"));
  };
  return {
    debug: (m) => write("DEBUG", m),
    info: (m) => write("INFO", m),
    warn: (m) => write("WARNING", m),
    error: (m) => write("ERROR", m),
  };
}
