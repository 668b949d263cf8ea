/** Mutual TLS: a listener that requires a client certificate signed by the run's CA. */
import assert from "node:assert/strict";
import { requireEnv } from "../helpers/env.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob } from "../helpers/jobs.ts";
import { authRoundTrip } from "../helpers/auth.ts";

const tls = () => ({
  BOOTSTRAP_SERVERS: requireEnv("KB_TEST_MTLS_BOOTSTRAP"),
  KAFKA_SSL: true,
  KAFKA_SSL_CA_FILE: requireEnv("KB_TEST_SSL_CA_FILE"),
});

Deno.test("backup and restore connect with a client certificate and key (mutual TLS)", async () => {
  await authRoundTrip("mtls", {
    ...tls(),
    KAFKA_SSL_CERT_FILE: requireEnv("KB_TEST_CLIENT_CERT_FILE"),
    KAFKA_SSL_KEY_FILE: requireEnv("KB_TEST_CLIENT_KEY_FILE"),
  });
});

Deno.test("without a client certificate the mutual TLS listener refuses the backup (exit 3)", async () => {
  const job = backupJob(["any-topic"], await Deno.makeTempDir(), tls());
  const result = await runScript("backup.ts", [await writeJob(job)]);
  expectExit(result, 3);
  assert.match(
    logMessages(result.stderr),
    /Cannot connect to Kafka at 127\.0\.0\.1:\d+: .*may require a client certificate: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/,
  );
});

Deno.test("a client key file that cannot be read is a job error (exit 2) naming it", async () => {
  const job = backupJob(["any-topic"], await Deno.makeTempDir(), {
    ...tls(),
    KAFKA_SSL_CERT_FILE: requireEnv("KB_TEST_CLIENT_CERT_FILE"),
    KAFKA_SSL_KEY_FILE: "/nonexistent/client.key",
  });
  const result = await runScript("backup.ts", [await writeJob(job)]);
  expectExit(result, 2);
  assert.match(logMessages(result.stderr), /KAFKA_SSL_KEY_FILE \/nonexistent\/client\.key/);
});
