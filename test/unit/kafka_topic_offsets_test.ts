import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { fetchTopicOffsets } from "../../lib/kafka/topics.ts";
import { isRetriableKafkaError } from "../../lib/kafka/errors.ts";
import { ExitCode, exitCodeOf, IntegrityError } from "../../lib/errors.ts";

// The errors kafkajs makes of a broker's error codes, as on the wire.
const { createErrorFromCode } = createRequire(import.meta.url)("kafkajs/src/protocol/error.js");
const NOT_LEADER_OR_FOLLOWER = 6;
const TOPIC_AUTHORIZATION_FAILED = 29;
const INVALID_PRODUCER_EPOCH = 47;

// Found by the benchmark: ListOffsets right after CREATE_TOPIC made the topic answered
// NOT_LEADER_OR_FOLLOWER, and kafkajs passed it on, so the restore exited 1.
Deno.test("offsets of a topic whose leader is not ready yet are asked for again", async () => {
  let calls = 0;
  const admin = {
    fetchTopicOffsets: () => {
      calls++;
      if (calls < 3) {
        return Promise.reject(createErrorFromCode(NOT_LEADER_OR_FOLLOWER));
      }
      return Promise.resolve([{ partition: 0, offset: "5", high: "5", low: "0" }]);
    },
  };
  assert.deepEqual(await fetchTopicOffsets(admin, "t"), [
    { partition: 0, offset: "5", high: "5", low: "0" },
  ]);
  assert.equal(calls, 3);
});

Deno.test("a final Kafka error from ListOffsets is not retried", async () => {
  let calls = 0;
  const admin = {
    fetchTopicOffsets: () => {
      calls++;
      return Promise.reject(createErrorFromCode(TOPIC_AUTHORIZATION_FAILED));
    },
  };
  await assert.rejects(() => fetchTopicOffsets(admin, "t"), /[Aa]uthoriz/);
  assert.equal(calls, 1);
});

Deno.test("a Kafka client error that reaches the top exits 3, not as an internal error", () => {
  assert.equal(exitCodeOf(createErrorFromCode(NOT_LEADER_OR_FOLLOWER)), ExitCode.kafka);
  assert.equal(exitCodeOf(new TypeError("a bug")), ExitCode.internal);
});

Deno.test("an error of ours that kafkajs wrapped keeps its exit code", () => {
  const { KafkaJSNonRetriableError } = createRequire(import.meta.url)("kafkajs/src/errors.js");
  const ours = new IntegrityError("damaged batch");
  assert.equal(exitCodeOf(new KafkaJSNonRetriableError(ours, { cause: ours })), ExitCode.integrity);
  const plain = new Error("other");
  assert.equal(exitCodeOf(new KafkaJSNonRetriableError(plain, { cause: plain })), ExitCode.kafka);
});

Deno.test("a broken connection or a missing coordinator is retriable, a fenced producer is not", () => {
  const broken = Object.assign(new Error("Connection error: read ECONNRESET"), {
    name: "KafkaJSConnectionError",
  });
  const exhausted = Object.assign(new Error("retries exceeded", { cause: broken }), {
    name: "KafkaJSNumberOfRetriesExceeded",
  });
  assert.equal(isRetriableKafkaError(broken), true);
  const noCoordinator = Object.assign(new Error("Failed to find group coordinator"), {
    name: "KafkaJSGroupCoordinatorNotFound",
    retriable: false,
  });
  assert.equal(isRetriableKafkaError(noCoordinator), true);
  // A producer fenced by another copy of the job must stop, not fence it back.
  assert.equal(isRetriableKafkaError(createErrorFromCode(INVALID_PRODUCER_EPOCH)), false);
  assert.equal(isRetriableKafkaError(exhausted), true);
  assert.equal(isRetriableKafkaError(createErrorFromCode(NOT_LEADER_OR_FOLLOWER)), true);
  assert.equal(isRetriableKafkaError(createErrorFromCode(TOPIC_AUTHORIZATION_FAILED)), false);
  assert.equal(isRetriableKafkaError(new TypeError("a bug")), false);
});
