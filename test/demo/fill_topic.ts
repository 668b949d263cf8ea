/**
 * Demo: creates a topic, fills it with sample records through kcat, and, when a group is
 * given, commits that group's offsets a third of the way into each partition (a consumer
 * that has read the first third).
 */
import { createTopic, endOffsets } from "../helpers/kafka.ts";
import { produceWithKcatLines } from "../helpers/kcat.ts";
import { setGroupOffsets } from "../helpers/groups.ts";

const [bootstrap, topic, partitions, count, group] = Deno.args;
await createTopic(bootstrap, topic, { partitions: Number(partitions) });
await produceWithKcatLines(bootstrap, topic, Number(count));
console.log(`${count} records written to ${topic}`);
if (group) {
  const ends = await endOffsets(bootstrap, topic);
  const third = Object.fromEntries(ends.map((end, p) => [p, Math.floor(end / 3)]));
  await setGroupOffsets(bootstrap, group, topic, third);
  console.log(`consumer group ${group} has read the first third of each partition`);
}
