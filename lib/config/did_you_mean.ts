/** "Did you mean ...?" suggestions for mistyped keys and values. */

/** Edit distance (insertions, deletions, substitutions) between `a` and `b`. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

// Case and separators are the usual slips: "topic_names", "TOPIC-NAMES", "Topic Names".
function normalize(word: string): string {
  return word.toUpperCase().replace(/[-\s.]/g, "_");
}

/**
 * The candidate `word` most likely meant: one equal ignoring case and separators,
 * else the nearest by edit distance if it is close enough to be a typo, else the only
 * candidate containing all of its words.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const wanted = normalize(word);
  const exact = candidates.find((c) => normalize(c) === wanted);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(wanted, normalize(candidate));
    // Allow about one typo per four characters, at least two: "GROUPID" -> "GROUP_ID".
    const limit = Math.max(2, Math.floor(candidate.length / 4));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best ?? byWords(wanted, candidates);
}

// A key with a word left out ("NUMBER_OF_THREADS") is far in edits but plain to a reader:
// suggest the only candidate that contains all of its words.
function byWords(wanted: string, candidates: readonly string[]): string | undefined {
  const words = wanted.split("_").filter((w) => w !== "");
  if (words.length < 2) return undefined;
  const matches = candidates.filter((c) => {
    const theirs = normalize(c).split("_");
    return words.every((w) => theirs.includes(w));
  });
  return matches.length === 1 ? matches[0] : undefined;
}
