/**
 * Restoration points: one consistent moment of the whole backup, stored as
 * `@points/<stamp>.json` (docs/FORMAT.md, section 10.4). For every backed-up partition it
 * says how far the archive reached at that moment (`end`: one past the last offset its
 * chunks cover; null for a partition with no chunk yet), and it names the group snapshot
 * of that moment. A point is written only after every chunk it covers is durable.
 */
import { FieldReader } from "./fields.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { getMetaObject, listMetaObjects, type MetaRef, putMetaObject } from "./meta_object.ts";
import { ISO_INSTANT } from "./header.ts";
import { isStamp, newStamp, stampTime } from "./stamp.ts";

export const POINTS_PREFIX = "@points/";
const FORMAT = 1;

export interface PointPartition {
  partition: number;
  /** One past the last offset the archive covered; null when it had no chunk. */
  end: number | null;
}

export interface RestorationPoint {
  /** The point's name: its stamp (`20261202T054539123Z-1a2b3c4d`). */
  id: string;
  createdAt: string;
  /** The group snapshot of that moment; null when no group was captured. */
  groupSnapshot: MetaRef | null;
  topics: Array<{ topic: string; partitions: PointPartition[] }>;
}

/** What RESTORATION_POINT asks for. */
export type PointSpec =
  | { kind: "latest" }
  | { kind: "id"; id: string }
  | { kind: "time"; ms: number };

/** The key of the point `id`. */
export const restorationPointKey = (id: string): string => `${POINTS_PREFIX}${id}.json`;
const idOf = (key: string) => key.slice(POINTS_PREFIX.length, -".json".length);

/** Stores a new point taken now; returns it with its id. */
export async function writeRestorationPoint(
  backend: StorageBackend,
  point: Omit<RestorationPoint, "id">,
): Promise<RestorationPoint> {
  const id = newStamp(new Date(point.createdAt));
  const full = { id, ...point };
  await putMetaObject(backend, restorationPointKey(id), {
    formatVersion: FORMAT,
    kind: "restorationPoint",
    ...full,
  });
  return full;
}

/** The ids of every point, oldest first. */
export async function listRestorationPoints(backend: StorageBackend): Promise<string[]> {
  return (await listMetaObjects(backend, POINTS_PREFIX)).map(idOf).filter(isStamp);
}

/** The id `spec` selects among `ids` (oldest first), or null when none matches. */
export function selectPoint(ids: readonly string[], spec: PointSpec): string | null {
  if (spec.kind === "latest") return ids.at(-1) ?? null;
  if (spec.kind === "id") return ids.includes(spec.id) ? spec.id : null;
  const before = ids.filter((id) => stampTime(id)! <= spec.ms);
  return before.at(-1) ?? null;
}

export async function readRestorationPoint(
  backend: StorageBackend,
  id: string,
): Promise<RestorationPoint> {
  const key = restorationPointKey(id);
  const { value } = await getMetaObject(backend, key);
  const r = new FieldReader(value, `restoration point ${key}`);
  if (r.int("formatVersion") !== FORMAT) {
    r.fail(`format version ${r.raw("formatVersion")} is not supported`);
  }
  if (r.raw("kind") !== "restorationPoint") r.fail("it is not a restoration point");
  if (r.string("id") !== id) r.fail(`it names itself ${r.raw("id")}`);
  return {
    id,
    createdAt: r.string("createdAt", ISO_INSTANT),
    groupSnapshot: readRef(r),
    topics: readTopics(r, key),
  };
}

function readRef(r: FieldReader): MetaRef | null {
  const raw = r.raw("groupSnapshot");
  if (raw === null) return null;
  const ref = new FieldReader(raw, "its groupSnapshot");
  return { key: ref.string("key", /^@groups\//), sha256: ref.string("sha256", /^[0-9a-f]{64}$/) };
}

function readTopics(r: FieldReader, key: string): RestorationPoint["topics"] {
  const topics = r.array("topics");
  return topics.map((t, i) => {
    const tr = new FieldReader(t, `topic ${i} of restoration point ${key}`);
    const partitions = tr.array("partitions");
    return {
      topic: tr.string("topic", /./),
      partitions: partitions.map((p, j) => {
        const pr = new FieldReader(p, `partition ${j} of topic ${i} of restoration point ${key}`);
        return { partition: pr.int("partition", 0), end: pr.intOrNull("end", 0) };
      }),
    };
  });
}
