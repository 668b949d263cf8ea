/** Demo: creates a topic and fills it with sample records through kcat. */
import { createTopic } from "../helpers/kafka.ts";
import { produceWithKcatLines } from "../helpers/kcat.ts";

const [bootstrap, topic, partitions, count] = Deno.args;
await createTopic(bootstrap, topic, { partitions: Number(partitions) });
await produceWithKcatLines(bootstrap, topic, Number(count));
console.log(`${count} records written to ${topic}`);
