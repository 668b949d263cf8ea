/**
 * Demo: compares two topics record by record (partition, order, key, value, headers,
 * timestamp) and, when a group is given, checks that a consumer of the group on the
 * restored topic reads exactly the records it had not read on the source.
 */
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { describeRecord } from "../helpers/records.ts";
import { consumeAsGroup, groupOffsets } from "../helpers/groups.ts";

const [bootstrap, source, target, group] = Deno.args;
const a = await readTopicWithKcat(bootstrap, source);
const b = await readTopicWithKcat(bootstrap, target);
let mismatches = Math.abs(a.length - b.length);
for (let i = 0; i < Math.min(a.length, b.length); i++) {
  const fields = { timestamp: true };
  if (describeRecord(a[i], fields) !== describeRecord(b[i], fields)) mismatches++;
}
console.log(`records compared: ${Math.max(a.length, b.length)}, mismatches: ${mismatches}`);
if (group) {
  const read = await groupOffsets(bootstrap, group, source);
  const unread = a.filter((r) => r.offset! >= (read[r.partition] ?? 0)).map((r) =>
    describeRecord(r)
  );
  const got = (await consumeAsGroup(bootstrap, group, target)).map((r) => describeRecord(r));
  const same = JSON.stringify(got.sort()) === JSON.stringify(unread.sort());
  console.log(
    `consumer group ${group} on ${target}: ${got.length} records to read, ${unread.length} ` +
      `not yet read on ${source}${same ? ", the same records" : ", NOT THE SAME RECORDS"}`,
  );
  if (!same) mismatches++;
}
if (mismatches > 0 || a.length === 0) Deno.exit(1);
