/** Builds a kafkajs client from a job's Kafka settings, logging through our JSON logger. */
import { Kafka, logLevel } from "./kafkajs.ts";
import type { KafkaConfig, logCreator, SASLOptions } from "./kafkajs.ts";
import type { Logger } from "../log.ts";
import { getLogLevel, LogLevel } from "../log.ts";
import { ConfigError, KafkaError } from "../errors.ts";
import type { Admin } from "./kafkajs.ts";
import { ConditionSpells, PERSISTS_AFTER_MS, routineCondition } from "./routine_conditions.ts";

/** The Kafka part of a job file, after validation. */
export interface KafkaConnection {
  brokers: string[];
  ssl?: {
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    rejectUnauthorized: boolean;
  };
  sasl?: {
    mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
    username: string;
    password: string;
  };
}

function readPem(path: string | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    throw new ConfigError(`Cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

function saslOptions(sasl: NonNullable<KafkaConnection["sasl"]>): SASLOptions {
  const mechanism = sasl.mechanism.toLowerCase() as "plain" | "scram-sha-256" | "scram-sha-512";
  return { mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
}

// kafkajs logs its own retries as errors; below WARNING they are only noise for an operator,
// and the routine ones of a healthy cluster stay DEBUG unless they persist.
function kafkajsLogCreator(logger: Logger, quiet: () => boolean): logCreator {
  const spells = new ConditionSpells();
  return () => ({ level, log }) => {
    if (quiet()) return logger.debug(`kafkajs ${log.message}${log.error ? `: ${log.error}` : ""}`);
    // Transactions abort on failure, so limited retries cannot break exactly-once here.
    if (log.message.startsWith("Limiting retries for the idempotent producer")) return;
    const text = `kafkajs ${log.message}${log.error ? `: ${log.error}` : ""}`;
    if (level !== logLevel.ERROR && level !== logLevel.WARN) return logger.debug(text);
    const condition = routineCondition(text);
    if (condition === null) return logger.warn(text);
    if (spells.sighted(condition) === "debug") return logger.debug(text);
    logger.warn(`${text} (${condition} for more than ${PERSISTS_AFTER_MS / 1000} s)`);
  };
}

/**
 * A kafkajs client for `connection`. Secrets go to kafkajs only, never to a log line.
 * `retries` bounds how long a call keeps trying (the first connection of a command uses
 * few, so an unreachable cluster is reported in seconds rather than a minute).
 */
export function createKafka(
  connection: KafkaConnection,
  clientId: string,
  logger: Logger,
  options: {
    /** Retries of a call (see above). */
    retries?: number;
    /** While true, kafkajs's warnings are DEBUG lines (a client being stopped on purpose). */
    quiet?: () => boolean;
  } = {},
): Kafka {
  const { retries = 8, quiet = () => false } = options;
  const config: KafkaConfig = {
    clientId,
    brokers: connection.brokers,
    logLevel: getLogLevel() <= LogLevel.DEBUG ? logLevel.INFO : logLevel.WARN,
    logCreator: kafkajsLogCreator(logger, quiet),
    retry: { retries, initialRetryTime: 250, maxRetryTime: 10_000 },
    connectionTimeout: 10_000,
  };
  if (connection.ssl) {
    config.ssl = {
      ca: readPem(connection.ssl.caFile, "KAFKA_SSL_CA_FILE"),
      cert: readPem(connection.ssl.certFile, "KAFKA_SSL_CERT_FILE"),
      key: readPem(connection.ssl.keyFile, "KAFKA_SSL_KEY_FILE"),
      rejectUnauthorized: connection.ssl.rejectUnauthorized,
    };
  }
  if (connection.sasl) config.sasl = saslOptions(connection.sasl);
  return new Kafka(config);
}

// A broker that requires a client certificate ends the handshake with an alert that names
// only the certificate, or (a retry racing the closed socket) with "write after end"; say
// what the job can do about it.
function tlsHint(connection: KafkaConnection, message: string): string {
  if (!connection.ssl || connection.ssl.certFile !== undefined) return "";
  const refused = /alert: ?(BadCertificate|CertificateRequired|HandshakeFailure)|write after end/i;
  if (!refused.test(message)) return "";
  return " (the broker may require a client certificate: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE)";
}

/**
 * A connected admin client for a command's main thread. The first contact has few
 * retries, so an unreachable cluster or refused credentials are reported in seconds
 * (exit 3); the client returned has the usual retries, so a broker that restarts while
 * the command runs is waited for instead of ending it.
 */
export async function connectAdmin(
  connection: KafkaConnection,
  clientId: string,
  logger: Logger,
): Promise<Admin> {
  const probe = createKafka(connection, clientId, logger, { retries: 3 }).admin();
  try {
    await probe.connect();
  } catch (error) {
    const message = (error as Error).message;
    throw new KafkaError(
      `Cannot connect to Kafka at ${connection.brokers.join(",")}: ${message}${
        tlsHint(connection, message)
      }`,
    );
  } finally {
    await probe.disconnect().catch(() => {});
  }
  const admin = createKafka(connection, clientId, logger).admin();
  await admin.connect();
  return admin;
}
