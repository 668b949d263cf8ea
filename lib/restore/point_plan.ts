/**
 * RESTORATION_POINT: which point of the archive a restore goes up to, and how far each
 * of its partitions reaches there.
 */
import type { StorageBackend } from "../storage/backend.ts";
import { ConfigError, IntegrityError } from "../errors.ts";
import {
  listRestorationPoints,
  type PointSpec,
  readRestorationPoint,
  type RestorationPoint,
  selectPoint,
} from "../archive/restoration_point.ts";
import type { ChunkIndexEntry } from "../archive/index_entry.ts";

const describe = (spec: PointSpec): string =>
  spec.kind === "latest"
    ? '"latest"'
    : spec.kind === "id"
    ? `"${spec.id}"`
    : `at or before ${new Date(spec.ms).toISOString()}`;

/** The point `spec` names; ConfigError (exit 2) listing the archive's points when none matches. */
export async function resolvePoint(
  backend: StorageBackend,
  spec: PointSpec,
): Promise<RestorationPoint> {
  const ids = await listRestorationPoints(backend);
  const id = selectPoint(ids, spec);
  if (id === null) {
    const known = ids.length === 0
      ? "the archive has none"
      : `the archive has ${ids.length}: ${ids.slice(-5).join(", ")}${
        ids.length > 5 ? ", ..." : ""
      }`;
    throw new ConfigError(
      `RESTORATION_POINT: no restoration point ${
        describe(spec)
      } in ${backend.location} (${known}; ` +
        "restore.ts --list-points lists them)",
    );
  }
  return await readRestorationPoint(backend, id);
}

/**
 * One past the last offset `point` covers in the partition: null when the point has no
 * chunk of it, undefined when the partition is not in the point (it came later).
 */
export function pointEnd(
  point: RestorationPoint,
  topic: string,
  partition: number,
): number | null | undefined {
  return point.topics.find((t) => t.topic === topic)?.partitions.find((p) =>
    p.partition === partition
  )?.end;
}

/**
 * The entries of a partition that a restore up to `end` (exclusive) reads, after
 * checking the archive still reaches that far: IntegrityError (exit 5) naming the point
 * and partition when its chunks are missing.
 */
export function entriesUpTo(
  point: RestorationPoint,
  topic: string,
  partition: number,
  entries: ChunkIndexEntry[],
  end: number | null | undefined,
): ChunkIndexEntry[] {
  if (end === null || end === undefined) return [];
  const reach = entries.reduce((max, e) => Math.max(max, e.to + 1), 0);
  if (reach < end) {
    throw new IntegrityError(
      `Restoration point ${point.id} covers ${topic}/${partition} up to offset ${end - 1}, but ` +
        `the archive's chunks of it end ${
          reach === 0 ? "before any offset" : `at offset ${reach - 1}`
        }: a chunk the point needs is missing`,
    );
  }
  return entries.filter((e) => e.from < end);
}
