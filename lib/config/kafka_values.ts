/** Checks for Kafka-shaped values: broker lists, topic names, topic patterns. */
import { describeValue } from "./issues.ts";
import type { Check } from "./job_fields.ts";
import { isHostPort } from "./values.ts";

/**
 * BOOTSTRAP_SERVERS: "a:9092,b:9092" (the Python tool's form) or an array of "host:port".
 * Entries are trimmed; an empty entry (",," or a trailing comma) is an error.
 */
export const brokerList: Check<string[]> = (value, at) => {
  let entries: Array<{ text: unknown; label: string }>;
  if (typeof value === "string") {
    entries = value.split(",").map((text, i) => ({ text: text.trim(), label: `entry ${i + 1}` }));
  } else if (Array.isArray(value) && value.length > 0) {
    entries = value.map((text, i) => ({ text, label: `entry ${i + 1}` }));
  } else {
    return at.fail(
      `expected "host:port,host:port" or an array of "host:port", got ${describeValue(value)}`,
    );
  }
  const problems: string[] = [];
  for (const { text, label } of entries) {
    const trimmed = typeof text === "string" ? text.trim() : text;
    if (trimmed === "") problems.push(`${label} is empty`);
    else if (typeof trimmed !== "string" || !isHostPort(trimmed)) {
      problems.push(`${label} ${describeValue(text)} is not host:port`);
    }
  }
  if (problems.length > 0) return at.fail(problems.join("; "));
  return entries.map((e) => (e.text as string).trim());
};

/** The legal Kafka topic names (topicNameProblem says why a name is not one). */
export const TOPIC_NAME = /^(?!\.\.?$)[A-Za-z0-9._-]{1,249}$/;

/** Why `name` is not a legal Kafka topic name, or undefined when it is. */
export function topicNameProblem(name: string): string | undefined {
  if (name === "" || name.length > 249) return "must have 1 to 249 characters";
  if (name === "." || name === "..") return 'must not be "." or ".."';
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return "may only contain letters, digits, '.', '_' and '-'";
  return undefined;
}

/** A legal Kafka topic name. */
export const topicName: Check<string> = (value, at) => {
  if (typeof value !== "string") {
    return at.fail(`expected a topic name, got ${describeValue(value)}`);
  }
  const problem = topicNameProblem(value);
  return problem === undefined
    ? value
    : at.fail(`invalid topic name ${describeValue(value)}: ${problem}`);
};

/** Consumer-group lists: "*" for every group, or an array of group ids. */
export type GroupSelection = "*" | string[];

/** A group selection: "*" or an array of non-empty group ids (duplicates dropped). */
export const groupSelection: Check<GroupSelection> = (value, at) => {
  if (value === "*") return "*";
  if (!Array.isArray(value)) {
    return at.fail(`expected "*" or an array of group ids, got ${describeValue(value)}`);
  }
  const ids = value.map((v, i) =>
    typeof v === "string" && v.trim() !== ""
      ? v
      : at.child(i).fail(`expected a group id, got ${describeValue(v)}`)
  );
  return ids.every((id) => id !== undefined) ? [...new Set(ids as string[])] : undefined;
};

/**
 * A topic pattern, compiled. It must match the whole topic name (as in Kafka's Java
 * clients), so "orders" does not also pick "orders-archive".
 */
export const topicPattern: Check<RegExp> = (value, at) => {
  if (typeof value !== "string" || value === "") {
    return at.fail(`expected a regular expression, got ${describeValue(value)}`);
  }
  try {
    // Compiled alone first so the error shows the pattern as the user wrote it.
    new RegExp(value);
    return new RegExp(`^(?:${value})$`);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: /, "");
    return at.fail(`invalid regular expression: ${reason}`);
  }
};
