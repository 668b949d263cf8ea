/**
 * Collecting problems of a job file. Validation records every problem it finds and
 * the loader throws them together, so an operator fixes a file in one round trip
 * instead of one error per run.
 */
import { ConfigError } from "../errors.ts";

/** One problem: where in the file (a JSON path such as `$.TOPIC_NAMES[1]`) and what. */
export interface ConfigIssue {
  /** JSON path of the offending value; "" for problems of the file as a whole. */
  path: string;
  message: string;
}

/** A bad job file. The message has one line per issue: `<file>: <path>: <message>`. */
export class JobFileError extends ConfigError {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    super(issues.map((i) => `${file}: ${i.path ? `${i.path}: ` : ""}${i.message}`).join("\n"));
    this.file = file;
    this.issues = issues;
  }
}

/** A position in the document that validators report against. */
export interface At {
  readonly path: string;
  /** Records `message` at this path; returns undefined so checks can `return at.fail(...)`. */
  fail(message: string): undefined;
  /** The position of an object member or array element below this one. */
  child(key: string | number): At;
}

/** The JSON path of a member or element: `$.KEY`, `$.LIST[2]`, `$.MAP["a.b"]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key)}]`;
}

/** The top-level key a JSON path starts with: "A" for `$.A[1]` and `$["a.b"]`. */
export function topLevelKey(path: string): string | undefined {
  const match = /^\$(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[("(?:[^"\\]|\\.)*")\])/.exec(path);
  if (!match) return undefined;
  return match[1] ?? JSON.parse(match[2]);
}

/** The problems found so far in one job file. */
export class Issues {
  readonly list: ConfigIssue[] = [];

  /** A reporting position at `path` ("$" is the document). */
  at(path: string): At {
    return {
      path,
      fail: (message) => {
        this.list.push({ path, message });
        return undefined;
      },
      child: (key) => this.at(childPath(path, key)),
    };
  }

  /**
   * Throws every recorded problem as one JobFileError, in the order of the top-level
   * keys in `keyOrder` (the file's order, easier to follow), then the rest as found.
   */
  throwIfAny(file: string, keyOrder: readonly string[] = []): void {
    if (this.list.length === 0) return;
    const rank = (issue: ConfigIssue) => {
      const index = keyOrder.indexOf(topLevelKey(issue.path) ?? "");
      return index < 0 ? keyOrder.length : index;
    };
    throw new JobFileError(file, [...this.list].sort((a, b) => rank(a) - rank(b)));
  }
}

/** A short rendering of a bad value for messages: JSON for scalars, a kind for the rest. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  // Why: a pasted certificate or a long line would drown the useful part of the message.
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
}
