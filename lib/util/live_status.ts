/**
 * A one-line status that rewrites itself on an interactive terminal (stderr), for the
 * live progress display of once-mode runs. On anything else it stays silent: log files
 * and pipes get the periodic JSON progress lines instead.
 */
const encoder = new TextEncoder();

export class LiveStatus {
  readonly #enabled = Deno.stderr.isTerminal();
  #shown = false;

  /** Replaces the status line with `text`. */
  show(text: string): void {
    if (!this.#enabled) return;
    Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}`));
    this.#shown = true;
  }

  /** Clears the status line so that the next output starts on a clean line. */
  clear(): void {
    if (!this.#enabled || !this.#shown) return;
    Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
    this.#shown = false;
  }
}

/** "1,234 records, 12.3 MB/s, lag 5,678, ETA 42 s" */
export function statusText(
  done: number,
  mbPerSecond: number,
  left: number | null,
  rate: number,
): string {
  let text = `${done.toLocaleString("en")} records, ${mbPerSecond.toFixed(1)} MB/s`;
  if (left !== null) {
    text += `, ${left.toLocaleString("en")} left`;
    if (rate > 0) text += `, ETA ${Math.ceil(left / rate)} s`;
  }
  return text;
}
