/// <reference lib="deno.worker" />
/** Worker half of the smoke test: consumes a topic with kafkajs inside a Deno Worker. */
import { Kafka, logLevel } from "kafkajs";

self.onmessage = async (
  event: MessageEvent<{ bootstrap: string; topic: string; count: number }>,
) => {
  const { bootstrap, topic, count } = event.data;
  const kafka = new Kafka({
    clientId: "smoke-worker",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `${topic}-worker` });
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
  self.postMessage(values);
};
