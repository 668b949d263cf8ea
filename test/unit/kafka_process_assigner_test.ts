import assert from "node:assert/strict";
import { assignByProcess, type MemberProcess } from "../../lib/kafka/process_assigner.ts";

const partitions = Array.from({ length: 6 }, (_, p) => ({ topic: "t", partition: p }));
const member = (memberId: string, process: string | null, threads: number, index = 0) =>
  ({ memberId, process, threads, index }) satisfies MemberProcess;

Deno.test("while a process's consumers have not all joined, its members get nothing", () => {
  const assignment = assignByProcess([member("a", "p1", 2, 0)], partitions);
  assert.deepEqual([...assignment], [["a", {}]]);
});

Deno.test("a complete process's members share the partitions round robin, in index order", () => {
  const assignment = assignByProcess(
    [member("m-2", "p1", 2, 1), member("m-1", "p1", 2, 0)],
    partitions,
  );
  assert.deepEqual(assignment.get("m-1"), { t: [0, 2, 4] });
  assert.deepEqual(assignment.get("m-2"), { t: [1, 3, 5] });
});

Deno.test("a second process still joining leaves the partitions with the complete first one", () => {
  const assignment = assignByProcess(
    [member("a0", "p1", 2, 0), member("a1", "p1", 2, 1), member("b0", "p2", 2, 0)],
    partitions,
  );
  assert.deepEqual(assignment.get("b0"), {});
  assert.equal(
    [...Object.values(assignment.get("a0")!), ...Object.values(assignment.get("a1")!)].flat()
      .length,
    6,
  );
});

Deno.test("members without process metadata (another version) count as complete", () => {
  const assignment = assignByProcess([member("old", null, 1), member("new", "p1", 2)], partitions);
  assert.deepEqual(assignment.get("old"), { t: [0, 1, 2, 3, 4, 5] });
  assert.deepEqual(assignment.get("new"), {});
});
