/**
 * Group snapshots: the committed offsets of consumer groups on the backed-up topics at
 * one moment, stored as `@groups/<stamp>.json` (docs/FORMAT.md, section 10.2).
 */
import { FieldReader } from "./fields.ts";
import type { StorageBackend } from "../storage/backend.ts";
import { getMetaObject, listMetaObjects, type MetaRef, putMetaObject } from "./meta_object.ts";
import { ISO_INSTANT } from "./header.ts";
import { isStamp, newStamp } from "./stamp.ts";
import type { DecryptionKeys, EncryptionKey } from "./encryption.ts";

export const GROUPS_PREFIX = "@groups/";
const FORMAT = 1;

/** One committed offset: the next record the group would read on that partition. */
export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  /** The metadata string committed with the offset; null when none. */
  metadata: string | null;
}

export interface GroupOffsets {
  group: string;
  /** Sorted by topic, then partition; only partitions the group has committed on. */
  offsets: CommittedOffset[];
}

export interface GroupSnapshot {
  createdAt: string;
  /** Sorted by group id. */
  groups: GroupOffsets[];
}

/** The key of a new snapshot taken at `at`. */
export const groupSnapshotKey = (at: Date): string => `${GROUPS_PREFIX}${newStamp(at)}.json`;

/** True when two snapshots hold the same offsets (their times aside). */
export const sameGroupOffsets = (a: GroupSnapshot, b: GroupSnapshot): boolean =>
  JSON.stringify(a.groups) === JSON.stringify(b.groups);

/** Stores a snapshot under a new key (encrypted with `encryption` when given). */
export function writeGroupSnapshot(
  backend: StorageBackend,
  snapshot: GroupSnapshot,
  encryption?: EncryptionKey,
): Promise<MetaRef> {
  const value = { formatVersion: FORMAT, kind: "groupSnapshot", ...snapshot };
  return putMetaObject(backend, groupSnapshotKey(new Date(snapshot.createdAt)), value, encryption);
}

/** The keys of every snapshot, oldest first. */
export async function listGroupSnapshots(backend: StorageBackend): Promise<string[]> {
  return (await listMetaObjects(backend, GROUPS_PREFIX)).filter((key) =>
    isStamp(key.slice(GROUPS_PREFIX.length, -".json".length))
  );
}

/**
 * Reads and checks a snapshot (against `sha256` when a reference gives one), decrypting
 * it with `keys` when it is encrypted; `keyId` says with which key (null: in the clear).
 */
export async function readGroupSnapshot(
  backend: StorageBackend,
  key: string,
  sha256?: string,
  keys?: DecryptionKeys,
): Promise<{ snapshot: GroupSnapshot; ref: MetaRef; keyId: string | null }> {
  const { value, sha256: actual, keyId } = await getMetaObject(backend, key, sha256, keys);
  return { snapshot: parseGroupSnapshot(value, key), ref: { key, sha256: actual }, keyId };
}

/** Validates a decoded snapshot; IntegrityError naming `key` for anything amiss. */
export function parseGroupSnapshot(value: unknown, key: string): GroupSnapshot {
  const r = new FieldReader(value, `group snapshot ${key}`);
  if (r.int("formatVersion") !== FORMAT) {
    r.fail(`format version ${r.raw("formatVersion")} is not supported`);
  }
  if (r.raw("kind") !== "groupSnapshot") r.fail(`it is not a group snapshot`);
  const groups = r.array("groups");
  return {
    createdAt: r.string("createdAt", ISO_INSTANT),
    groups: groups.map((g, i) => {
      const gr = new FieldReader(g, `group ${i} of group snapshot ${key}`);
      const offsets = gr.array("offsets");
      return {
        group: gr.string("group", /./),
        offsets: offsets.map((o, j) => {
          const or = new FieldReader(o, `offset ${j} of group ${i} of group snapshot ${key}`);
          const metadata = or.raw("metadata");
          if (metadata !== null && typeof metadata !== "string") {
            or.fail(`field "metadata" must be a string or null`);
          }
          return {
            topic: or.string("topic", /./),
            partition: or.int("partition", 0),
            offset: or.int("offset", 0),
            metadata: metadata as string | null,
          };
        }),
      };
    }),
  };
}
