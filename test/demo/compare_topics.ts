/** Demo: compares two topics record by record (partition, order, key, value, headers, timestamp). */
import { readTopicWithKcat } from "../helpers/kcat.ts";
import { describeRecord } from "../helpers/records.ts";

const [bootstrap, source, target] = Deno.args;
const a = await readTopicWithKcat(bootstrap, source);
const b = await readTopicWithKcat(bootstrap, target);
let mismatches = Math.abs(a.length - b.length);
for (let i = 0; i < Math.min(a.length, b.length); i++) {
  const fields = { timestamp: true };
  if (describeRecord(a[i], fields) !== describeRecord(b[i], fields)) mismatches++;
}
console.log(`records compared: ${Math.max(a.length, b.length)}, mismatches: ${mismatches}`);
if (mismatches > 0 || a.length === 0) Deno.exit(1);
