/**
 * kafkajs logs the retriable internals of a healthy cluster as warnings and errors: a
 * group rebalancing, a transaction still completing, a coordinator loading. On a normal
 * run they only make a clean run look broken, so they are DEBUG lines, unless one of
 * them keeps happening past PERSISTS_AFTER_MS: then it is worth one WARNING.
 */

/** A routine condition, recognised by kafkajs's wording of it (or the protocol's name). */
const CONDITIONS: ReadonlyArray<readonly [string, RegExp]> = [
  ["the group is rebalancing", /group is rebalancing|REBALANCE_IN_PROGRESS/],
  [
    "a transaction is still completing",
    /concurrent operation on the same transaction|CONCURRENT_TRANSACTIONS/,
  ],
  ["a coordinator is loading", /coordinator is loading|COORDINATOR_LOAD_IN_PROGRESS/],
];

/** How long a condition may go on before it is reported as a WARNING. */
export const PERSISTS_AFTER_MS = 30_000;
/** A condition not seen for this long has ended; the next sighting starts a new spell. */
const ENDED_AFTER_MS = 10_000;

/** The routine condition a kafkajs log text describes, or null for anything else. */
export function routineCondition(text: string): string | null {
  for (const [name, pattern] of CONDITIONS) if (pattern.test(text)) return name;
  return null;
}

/** Decides, per condition, whether a sighting is routine (DEBUG) or has persisted (WARNING). */
export class ConditionSpells {
  readonly #spells = new Map<string, { since: number; last: number; warned: boolean }>();

  /**
   * "debug" for a routine sighting; "warn" once a spell of the condition has lasted
   * PERSISTS_AFTER_MS (once per spell).
   */
  sighted(condition: string, now = Date.now()): "debug" | "warn" {
    let spell = this.#spells.get(condition);
    if (!spell || now - spell.last > ENDED_AFTER_MS) {
      spell = { since: now, last: now, warned: false };
      this.#spells.set(condition, spell);
    }
    spell.last = now;
    if (spell.warned || now - spell.since < PERSISTS_AFTER_MS) return "debug";
    spell.warned = true;
    return "warn";
  }
}
