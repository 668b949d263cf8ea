/**
 * Which topics a restore reads and writes, and where the local archive root is.
 *   (a) TOPIC_MAP {"source": "target", ...}: several topics.
 *   (b) BACKUP_TOPIC_NAME [+ RESTORE_TOPIC_NAME]: one topic under FILESYSTEM_BACKUP_DIR.
 *   (c) neither, as in the Python tool's local restore.json: FILESYSTEM_BACKUP_DIR is the topic's
 *       own directory ("/tmp/davinder.test"), so its name is the source topic and its
 *       parent the archive root; RESTORE_TOPIC_NAME is then required.
 */
import { describeValue } from "./issues.ts";
import type { JobFields } from "./job_fields.ts";
import { topicName, topicNameProblem } from "./kafka_values.ts";
import type { FilesystemType } from "../storage/registry.ts";

/** One topic to restore: read from `source` in the archive, produce to `target`. */
export interface TopicPair {
  source: string;
  target: string;
}

/** The resolved topics; `localRoot` is the LINUX archive root. Undefined parts were reported. */
export interface RestoreTopics {
  topics: TopicPair[];
  localRoot?: string;
}

function readTopicMap(fields: JobFields): TopicPair[] {
  for (const key of ["BACKUP_TOPIC_NAME", "RESTORE_TOPIC_NAME"]) {
    if (fields.has(key)) {
      fields.at(key).fail("not allowed together with TOPIC_MAP (add the pair to TOPIC_MAP)");
    }
  }
  const pairs = fields.optional("TOPIC_MAP", (value, at) => {
    if (
      value === null || typeof value !== "object" || Array.isArray(value) ||
      Object.keys(value).length === 0
    ) {
      return at.fail(
        `expected an object {"source topic": "target topic", ...}, got ${describeValue(value)}`,
      );
    }
    const out: TopicPair[] = [];
    const sourceOf = new Map<string, string>();
    for (const [source, target] of Object.entries(value)) {
      const keyProblem = topicNameProblem(source);
      if (keyProblem) at.child(source).fail(`invalid source topic name: ${keyProblem}`);
      const checked = topicName(target, at.child(source));
      if (checked === undefined || keyProblem) continue;
      // Two sources into one target would interleave their partitions and their progress.
      const other = sourceOf.get(checked);
      if (other !== undefined) {
        at.child(source).fail(`target "${checked}" is also the target of "${other}"`);
        continue;
      }
      sourceOf.set(checked, source);
      out.push({ source, target: checked });
    }
    return out.length === Object.keys(value).length ? out : undefined;
  });
  return pairs ?? [];
}

function splitTopicDir(dir: string): { parent: string; name: string } {
  const slash = dir.lastIndexOf("/");
  if (slash < 0) return { parent: ".", name: dir };
  return { parent: slash === 0 ? "/" : dir.slice(0, slash), name: dir.slice(slash + 1) };
}

/** Resolves the topic pairs of a restore job of storage `type` with FILESYSTEM_BACKUP_DIR `dir`. */
export function readRestoreTopics(
  fields: JobFields,
  type: FilesystemType | undefined,
  dir: string | undefined,
): RestoreTopics {
  if (fields.has("TOPIC_MAP")) return { topics: readTopicMap(fields), localRoot: dir };
  if (fields.has("BACKUP_TOPIC_NAME")) {
    const source = fields.optional("BACKUP_TOPIC_NAME", topicName);
    const target = fields.has("RESTORE_TOPIC_NAME")
      ? fields.optional("RESTORE_TOPIC_NAME", topicName)
      : source;
    const topics = source !== undefined && target !== undefined ? [{ source, target }] : [];
    return { topics, localRoot: dir };
  }
  if (type !== "LINUX") {
    if (type !== undefined) {
      fields.at("BACKUP_TOPIC_NAME").fail(
        `missing: with FILESYSTEM_TYPE "${type}" give BACKUP_TOPIC_NAME or TOPIC_MAP`,
      );
    }
    return { topics: [] };
  }
  const target = fields.required(
    "RESTORE_TOPIC_NAME",
    topicName,
    " (the topic to restore into; or give BACKUP_TOPIC_NAME or TOPIC_MAP)",
  );
  if (dir === undefined) return { topics: [] };
  const { parent, name } = splitTopicDir(dir);
  const problem = topicNameProblem(name);
  if (problem !== undefined) {
    fields.at("FILESYSTEM_BACKUP_DIR").fail(
      `without BACKUP_TOPIC_NAME or TOPIC_MAP this is the backed-up topic's own directory, ` +
        `but its name ${JSON.stringify(name)} is not a topic name (${problem})`,
    );
    return { topics: [] };
  }
  return { topics: target === undefined ? [] : [{ source: name, target }], localRoot: parent };
}
