/**
 * Secrets in job files. Job files get copied into tickets, repositories and chat, so a
 * secret may only appear as a `${VAR}` reference, and no message ever shows its value.
 */
import type { At } from "./issues.ts";

/** Keys whose value is a secret, and what the secret is called in messages. */
export const SECRET_KEYS: Readonly<Record<string, string>> = {
  KAFKA_SASL_PASSWORD: "password",
  ENCRYPTION_KEY: "key",
};

/** Keys whose value is an object of secrets: every member value must be a reference. */
export const SECRET_MAP_KEYS: Readonly<Record<string, string>> = {
  DECRYPTION_KEYS: "key",
};

/** The only form a secret may take in a job file: one whole `${VAR}` reference. */
export const SECRET_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * Checks the value of a secret key as written in the file (before expansion): it must
 * be exactly one `${VAR}` reference. Returns false (after recording why) otherwise.
 */
export function checkSecretReference(raw: unknown, at: At, what = "password"): boolean {
  if (typeof raw === "string" && SECRET_REFERENCE.test(raw)) return true;
  // Deliberately no "got ...": the value may be the secret itself.
  at.fail(
    `a literal ${what} is not allowed in the job file: put it in an environment variable ` +
      'and write "${VARIABLE_NAME}" here',
  );
  return false;
}

/**
 * Checks an object of secrets as written in the file: an object whose every member value
 * is one `${VAR}` reference. Records a problem per bad member; returns false if any.
 */
export function checkSecretMap(raw: unknown, at: At, what = "key"): boolean {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    at.fail(`expected an object {"<key id>": "\${VARIABLE_NAME}", ...}`);
    return false;
  }
  let ok = true;
  for (const [name, value] of Object.entries(raw)) {
    ok = checkSecretReference(value, at.child(name), what) && ok;
  }
  return ok;
}

/** The expanded value of a secret key: a non-empty string, never echoed in messages. */
export function secretValue(value: unknown, at: At): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  return at.fail("the environment variable it names is empty");
}
