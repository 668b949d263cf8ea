/** Output for people and scripts (listings, plans, JSON); logs go to stderr instead. */

/** Writes `text` and a line end (unless it has one) to stdout, synchronously. */
export function print(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text.endsWith("\n") ? text : text + "\n"));
}
