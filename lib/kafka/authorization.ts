/**
 * What to tell an operator when Kafka may be refusing rather than missing something. A
 * broker with an authorizer hides a topic from a user who may not DESCRIBE it (it looks
 * deleted), and turns a refused group into "no coordinator found": name the user and the
 * permissions the job needs.
 */
import type { KafkaConnection } from "./client.ts";
import { KafkaError } from "../errors.ts";
import { TOOL_GROUP_PREFIX } from "./groups.ts";

/** The principal the job connects as, in words; null when it does not authenticate. */
function principalOf(connection: KafkaConnection): string | null {
  if (connection.sasl) return `user "${connection.sasl.username}"`;
  if (connection.ssl?.certFile) return "the client certificate's user";
  return null;
}

/** For a topic that looks missing: the permissions it would take if it is only hidden. */
export function unseenTopicHint(connection: KafkaConnection, operation: "READ" | "WRITE"): string {
  const principal = principalOf(connection);
  if (principal === null) return "";
  return ` (or ${principal} may not see it: under an authorizer it needs DESCRIBE and ${operation} on the topic)`;
}

/**
 * kafkajs reports a group the user may not use as "Failed to find group coordinator":
 * the error names the group and the permission instead.
 */
export function explainGroupError(
  error: unknown,
  connection: KafkaConnection,
  group: string,
): unknown {
  if (!(error instanceof Error) || error.name !== "KafkaJSGroupCoordinatorNotFound") return error;
  const principal = principalOf(connection);
  const hint = principal === null
    ? ""
    : `; under an authorizer, ${principal} needs READ on consumer group "${group}"`;
  return new KafkaError(`Kafka found no coordinator for consumer group "${group}"${hint}`, {
    cause: error,
  });
}

/**
 * Whether `error`, or what it wraps, is Kafka refusing a transactional id. kafkajs's
 * wrappers keep only the message of its protocol error, not its type.
 */
function refusesTransactionalId(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if ((e as { type?: string }).type === "TRANSACTIONAL_ID_AUTHORIZATION_FAILED") return true;
    if (e.message === "Transactional Id authorization failed") return true;
  }
  return false;
}

/**
 * A transactional id the user may not use (kafkajs: "Transactional Id authorization
 * failed"): the error names the id and the permissions instead. Other errors pass.
 */
export function explainTransactionalIdError(error: unknown, transactionalId: string): unknown {
  if (!refusesTransactionalId(error)) return error;
  const prefix = TOOL_GROUP_PREFIX.replace(/\.$/, ""); // every restore's ids start with it
  return new KafkaError(
    `Kafka refused transactional id "${transactionalId}": under an authorizer the restore's ` +
      `user needs DESCRIBE and WRITE on it (a PREFIXED ACL on "${prefix}" covers every partition's)`,
    { cause: error },
  );
}
