/**
 * Where each partition of a backup consumer stands, and the decisions taken on it, as
 * plain functions over plain state (the consumer does the I/O they call for):
 * alignment of a fetch to the stored position, when a partition is done (once mode),
 * which open chunk to store early, which partitions keep their open chunk across a
 * rebalance.
 */
import { tpKey } from "./messages.ts";

/** The part of an open chunk these decisions look at. */
export interface ChunkLike {
  /** Payload bytes held. */
  bytes: number;
}

export interface PartitionState<C extends ChunkLike = ChunkLike> {
  topic: string;
  partition: number;
  /** One past the last stored offset: the next chunk starts (covers from) here. */
  storedNext: number;
  /** One past the last offset consumed, counting control and aborted records. */
  position: number;
  chunk: C | null;
  /** Set once the consumer was moved back to the stored position. */
  sought: boolean;
  done: boolean;
}

/** A partition starting (or continuing) at `start`, the archive's next offset. */
export function startState<C extends ChunkLike>(
  topic: string,
  partition: number,
  start: number,
): PartitionState<C> {
  return {
    topic,
    partition,
    storedNext: start,
    position: start,
    chunk: null,
    sought: false,
    done: false,
  };
}

/**
 * What to do with a fetch that starts at `fetchedOffset`:
 * - "read": it continues (or overlaps) the position: take its records;
 * - "seek": it starts past the position (the group was ahead of storage, which is the
 *   truth): move the consumer back to the position once, skipping this fetch;
 * - "gap": it still starts past the position after that seek: retention removed the
 *   offsets in between, which the archive records as a gap (`position` moves on).
 */
export function alignment(state: PartitionState, fetchedOffset: number): "read" | "seek" | "gap" {
  if (fetchedOffset <= state.position) return "read";
  if (!state.sought) return "seek";
  return "gap";
}

/** Once mode: whether the partition has reached the end captured at start. */
export const isAtEnd = (state: PartitionState, end: number | undefined): boolean =>
  end !== undefined && state.position >= end;

/** The partition whose open chunk holds the most payload, or null when none is open. */
export function largestOpen<C extends ChunkLike>(
  states: Iterable<PartitionState<C>>,
): PartitionState<C> | null {
  let largest: PartitionState<C> | null = null;
  for (const state of states) {
    if (state.chunk && (!largest || state.chunk.bytes > largest.chunk!.bytes)) largest = state;
  }
  return largest;
}

/**
 * After a rebalance: the partitions ("topic/partition") that keep their state and open
 * chunk. Only a member that is the same (same member id, so it was in every generation
 * since) keeps what it still owns: nobody else can have read those in between.
 */
export function keptAcrossRebalance(
  sameMember: boolean,
  assignment: Record<string, number[]>,
): Set<string> {
  const kept = new Set<string>();
  if (!sameMember) return kept;
  for (const [topic, partitions] of Object.entries(assignment)) {
    for (const partition of partitions) kept.add(tpKey(topic, partition));
  }
  return kept;
}
