/** The docs (key_doc.ts) of values that several job keys share. */
import {
  either,
  exactly,
  listOf,
  matching,
  matchingTrimmed,
  text,
  type ValueDoc,
  whole,
} from "./key_doc.ts";
import { TOPIC_NAME } from "./kafka_values.ts";
import { ISO_TIME } from "./time_values.ts";

/** A Kafka topic name (topicName). */
export const TOPIC: ValueDoc = matching(TOPIC_NAME);

/** A regular expression that must match a whole name (topicPattern). */
export const PATTERN: ValueDoc = { type: "string", minLength: 1 };

/** "*" for every group, or a list of group ids (groupSelection). */
export const GROUPS: ValueDoc = either(exactly("*"), listOf(text));

/** Epoch milliseconds, or an ISO-8601 date or time (timestamp). */
export const TIME: ValueDoc = either(whole(0), matchingTrimmed(ISO_TIME));
