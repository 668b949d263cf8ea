/** The Kafka connection part of a job file: brokers, TLS and SASL. */
import type { JobFields } from "./job_fields.ts";
import { brokerList } from "./kafka_values.ts";
import { secretValue } from "./secrets.ts";
import { boolean, definedOnly, nonEmptyString, oneOf } from "./values.ts";

/** SASL mechanisms, spelled as in Kafka's own configuration. */
export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type SaslMechanism = typeof SASL_MECHANISMS[number];

/** How to reach Kafka. File paths only: the files are read when connecting. */
export interface KafkaConfig {
  brokers: string[];
  /** Present when KAFKA_SSL is true. */
  ssl?: {
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    rejectUnauthorized: boolean;
  };
  /** Present when KAFKA_SASL_MECHANISM is set. */
  sasl?: {
    mechanism: SaslMechanism;
    username: string;
    /** The expanded secret. Never log it. */
    password: string;
  };
}

const SSL_DETAIL_KEYS = [
  "KAFKA_SSL_CA_FILE",
  "KAFKA_SSL_CERT_FILE",
  "KAFKA_SSL_KEY_FILE",
  "KAFKA_SSL_REJECT_UNAUTHORIZED",
];

function readSsl(fields: JobFields): KafkaConfig["ssl"] {
  const enabled = fields.withDefault("KAFKA_SSL", boolean, false);
  // A CA file without KAFKA_SSL would be silently ignored: a plaintext connection
  // the operator believes is encrypted.
  for (const key of SSL_DETAIL_KEYS) fields.onlyWhen(key, enabled, "KAFKA_SSL is true");
  if (!enabled) return undefined;
  const certFile = fields.optional("KAFKA_SSL_CERT_FILE", nonEmptyString);
  const keyFile = fields.optional("KAFKA_SSL_KEY_FILE", nonEmptyString);
  if (fields.has("KAFKA_SSL_CERT_FILE") !== fields.has("KAFKA_SSL_KEY_FILE")) {
    const missing = fields.has("KAFKA_SSL_CERT_FILE")
      ? "KAFKA_SSL_KEY_FILE"
      : "KAFKA_SSL_CERT_FILE";
    fields.at(missing).fail(
      "missing: a client certificate needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE",
    );
  }
  return definedOnly({
    caFile: fields.optional("KAFKA_SSL_CA_FILE", nonEmptyString),
    certFile,
    keyFile,
    rejectUnauthorized: fields.withDefault("KAFKA_SSL_REJECT_UNAUTHORIZED", boolean, true),
  });
}

function readSasl(fields: JobFields): KafkaConfig["sasl"] {
  const given = fields.has("KAFKA_SASL_MECHANISM");
  for (const key of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"]) {
    fields.onlyWhen(key, given, "KAFKA_SASL_MECHANISM is set");
  }
  if (!given) return undefined;
  const why = " (KAFKA_SASL_MECHANISM is set)";
  const mechanism = fields.optional("KAFKA_SASL_MECHANISM", oneOf(SASL_MECHANISMS));
  const username = fields.required("KAFKA_SASL_USERNAME", nonEmptyString, why);
  const password = fields.required("KAFKA_SASL_PASSWORD", secretValue, why);
  if (mechanism === undefined || username === undefined || password === undefined) return undefined;
  return { mechanism, username, password };
}

/** Reads BOOTSTRAP_SERVERS and the KAFKA_SSL_* / KAFKA_SASL_* keys. */
export function readKafka(fields: JobFields): KafkaConfig {
  const kafka: KafkaConfig = { brokers: fields.required("BOOTSTRAP_SERVERS", brokerList) ?? [] };
  const ssl = readSsl(fields);
  const sasl = readSasl(fields);
  // Optional members are left out rather than set to undefined, for clean deepEqual and logs.
  if (ssl) kafka.ssl = ssl;
  if (sasl) kafka.sasl = sasl;
  return kafka;
}
