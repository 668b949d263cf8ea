/** Smoke tests: each test service is real and reachable the way the product will use it. */
import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { BlobServiceClient } from "@azure/storage-blob";
import {
  azureConnectionString,
  kafkaBootstrap,
  kafkaBootstrap2,
  randomName,
  s3Endpoint,
} from "../helpers/env.ts";
import { createTopic, produceWithKafkajs, testKafka } from "../helpers/kafka.ts";
import { produceWithKcat, readTopicWithKcat } from "../helpers/kcat.ts";
import { bytes } from "../helpers/records.ts";

async function consumeValues(bootstrap: string, topic: string, count: number): Promise<string[]> {
  const consumer = testKafka(bootstrap).consumer({ groupId: randomName("smoke") });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve) => {
    consumer.run({
      eachMessage: ({ message }) => {
        values.push(message.value!.toString());
        if (values.length === count) resolve();
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return values;
}

const records = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => ({ partition: 0, key: bytes(`k${i}`), value: bytes(`v${i}`), headers: [] }),
  );

Deno.test("kafkajs produces and consumes on the test broker", async () => {
  const topic = randomName("smoke");
  await createTopic(kafkaBootstrap(), topic);
  await produceWithKafkajs(kafkaBootstrap(), topic, records(5));
  assert.deepEqual(await consumeValues(kafkaBootstrap(), topic, 5), ["v0", "v1", "v2", "v3", "v4"]);
});

Deno.test("kafkajs consumes inside a Deno Worker", async () => {
  const topic = randomName("smoke");
  await createTopic(kafkaBootstrap(), topic);
  await produceWithKafkajs(kafkaBootstrap(), topic, records(3));
  const worker = new Worker(new URL("./kafka_smoke_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    const values = await new Promise<string[]>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(e.error ?? e.message);
      worker.postMessage({ bootstrap: kafkaBootstrap(), topic, count: 3 });
    });
    assert.deepEqual(values, ["v0", "v1", "v2"]);
  } finally {
    worker.terminate();
  }
});

Deno.test("kcat writes what kafkajs reads, and reads what kafkajs writes", async () => {
  const topic = randomName("smoke");
  await createTopic(kafkaBootstrap(), topic);
  await produceWithKcat(kafkaBootstrap(), topic, records(2));
  assert.deepEqual(await consumeValues(kafkaBootstrap(), topic, 2), ["v0", "v1"]);
  await produceWithKafkajs(kafkaBootstrap(), topic, records(1));
  const read = await readTopicWithKcat(kafkaBootstrap(), topic);
  assert.deepEqual(read.map((r) => new TextDecoder().decode(r.value!)), ["v0", "v1", "v0"]);
  assert.deepEqual(read.map((r) => r.offset), [0, 1, 2]);
});

Deno.test("the second broker is an independent cluster", async () => {
  const topic = randomName("smoke");
  await createTopic(kafkaBootstrap2(), topic);
  const admin = testKafka(kafkaBootstrap()).admin();
  await admin.connect();
  const onFirst = await admin.listTopics();
  await admin.disconnect();
  assert.equal(onFirst.includes(topic), false);
  const admin2 = testKafka(kafkaBootstrap2()).admin();
  await admin2.connect();
  assert.equal((await admin2.listTopics()).includes(topic), true);
  await admin2.disconnect();
});

Deno.test("the S3 server stores, lists, returns and deletes objects", async () => {
  const s3 = new S3Client({
    endpoint: s3Endpoint(),
    forcePathStyle: true,
    region: "us-east-1",
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const Bucket = randomName("smoke");
  await s3.send(new CreateBucketCommand({ Bucket }));
  const body = new Uint8Array([0, 255, 10, 13, 128]);
  await s3.send(new PutObjectCommand({ Bucket, Key: "a/b.bin", Body: body }));
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: "a/b.bin" }));
  assert.deepEqual(new Uint8Array(await got.Body!.transformToByteArray()), body);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "a/" }));
  assert.deepEqual(listed.Contents?.map((o) => o.Key), ["a/b.bin"]);
  await s3.send(new DeleteObjectCommand({ Bucket, Key: "a/b.bin" }));
  const after = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "a/" }));
  assert.equal(after.KeyCount, 0);
  s3.destroy();
});

Deno.test("Azurite stores, lists, returns and deletes blobs", async () => {
  const service = BlobServiceClient.fromConnectionString(azureConnectionString());
  const container = service.getContainerClient(randomName("smoke"));
  await container.create();
  const body = new Uint8Array([0, 255, 10, 13, 128]);
  await container.getBlockBlobClient("a/b.bin").uploadData(body);
  const got = await container.getBlockBlobClient("a/b.bin").downloadToBuffer();
  assert.deepEqual(new Uint8Array(got), body);
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: "a/" })) names.push(blob.name);
  assert.deepEqual(names, ["a/b.bin"]);
  await container.getBlockBlobClient("a/b.bin").delete();
  const after: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: "a/" })) after.push(blob.name);
  assert.deepEqual(after, []);
});
