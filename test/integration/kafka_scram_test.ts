/**
 * Kafka authentication with SCRAM-SHA-256 and SCRAM-SHA-512 on the real broker, in the
 * clear and over TLS (SASL_SSL). Each test user exists for one mechanism only, so a round
 * trip passes only if that mechanism was used.
 */
import assert from "node:assert/strict";
import { requireEnv } from "../helpers/env.ts";
import { expectExit, logMessages, runScript, writeJob } from "../helpers/cli.ts";
import { backupJob } from "../helpers/jobs.ts";
import { authRoundTrip } from "../helpers/auth.ts";

const scram = (mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512", user: string) => ({
  BOOTSTRAP_SERVERS: requireEnv("KB_TEST_SASL_BOOTSTRAP"),
  KAFKA_SASL_MECHANISM: mechanism,
  KAFKA_SASL_USERNAME: user,
  KAFKA_SASL_PASSWORD: "${KB_SCRAM_PASSWORD}",
});

for (const [mechanism, bits] of [["SCRAM-SHA-256", "256"], ["SCRAM-SHA-512", "512"]] as const) {
  Deno.test(`backup and restore authenticate with ${mechanism}`, async () => {
    const password = requireEnv(`KB_TEST_SCRAM${bits}_PASSWORD`);
    const runs = await authRoundTrip(
      `scram${bits}`,
      scram(mechanism, requireEnv(`KB_TEST_SCRAM${bits}_USER`)),
      { KB_SCRAM_PASSWORD: password },
    );
    for (const run of runs) assert.equal((run.stdout + run.stderr).includes(password), false);
  });
}

Deno.test("a SCRAM user is refused under the other SCRAM mechanism (exit 3)", async () => {
  const job = backupJob(["any-topic"], await Deno.makeTempDir(), {
    ...scram("SCRAM-SHA-512", requireEnv("KB_TEST_SCRAM256_USER")),
  });
  const result = await runScript("backup.ts", [await writeJob(job)], {
    KB_SCRAM_PASSWORD: requireEnv("KB_TEST_SCRAM256_PASSWORD"),
  });
  expectExit(result, 3);
  assert.match(logMessages(result.stderr), /Cannot connect to Kafka/);
});

Deno.test("a wrong SCRAM password is a Kafka error (exit 3) that never prints the password", async () => {
  const wrong = "Wr0ng-Scram-Pa55word-7f3c91";
  const job = backupJob(["any-topic"], await Deno.makeTempDir(), {
    ...scram("SCRAM-SHA-256", requireEnv("KB_TEST_SCRAM256_USER")),
  });
  const result = await runScript("backup.ts", [await writeJob(job)], { KB_SCRAM_PASSWORD: wrong });
  expectExit(result, 3);
  assert.match(logMessages(result.stderr), /Cannot connect to Kafka.*(SASL|[Aa]uthentication)/);
  assert.equal(result.stdout.includes(wrong), false);
  assert.equal(result.stderr.includes(wrong), false);
});

Deno.test("backup and restore authenticate with SCRAM-SHA-512 over TLS (SASL_SSL)", async () => {
  const password = requireEnv("KB_TEST_SCRAM512_PASSWORD");
  const runs = await authRoundTrip(
    "sasl-ssl",
    {
      ...scram("SCRAM-SHA-512", requireEnv("KB_TEST_SCRAM512_USER")),
      // The listener speaks only SASL_SSL: the round trip passes only with TLS and SCRAM.
      BOOTSTRAP_SERVERS: requireEnv("KB_TEST_SASL_SSL_BOOTSTRAP"),
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: requireEnv("KB_TEST_SSL_CA_FILE"),
    },
    { KB_SCRAM_PASSWORD: password },
  );
  for (const run of runs) assert.equal((run.stdout + run.stderr).includes(password), false);
});
