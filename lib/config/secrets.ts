/**
 * Secrets in job files. Job files get copied into tickets, repositories and chat, so a
 * secret may only appear as a `${VAR}` reference, and no message ever shows its value.
 */
import type { At } from "./issues.ts";

/** Keys whose value is a secret. */
export const SECRET_KEYS: readonly string[] = ["KAFKA_SASL_PASSWORD"];

/** The only form a secret may take in a job file: one whole `${VAR}` reference. */
export const SECRET_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * Checks the value of a secret key as written in the file (before expansion): it must
 * be exactly one `${VAR}` reference. Returns false (after recording why) otherwise.
 */
export function checkSecretReference(raw: unknown, at: At): boolean {
  if (typeof raw === "string" && SECRET_REFERENCE.test(raw)) return true;
  // Deliberately no "got ...": the value may be the password itself.
  at.fail(
    "a literal password is not allowed in the job file: put it in an environment variable " +
      'and write "${VARIABLE_NAME}" here',
  );
  return false;
}

/** The expanded value of a secret key: a non-empty string, never echoed in messages. */
export function secretValue(value: unknown, at: At): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  return at.fail("the environment variable it names is empty");
}
