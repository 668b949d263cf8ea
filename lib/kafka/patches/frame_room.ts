/**
 * Between the produce request (produce_request.ts) and the request framing
 * (request_framing.ts): a produce body is written with room in front of it, so that the
 * framing can write the frame there instead of copying the body behind it. The body's
 * encoder is registered here with the whole buffer the body ends; nothing else is shared.
 */

/** Room a body leaves in front of itself for its frame. */
export const FRAME_ROOM_BYTES = 512;

const rooms = new WeakMap<object, Uint8Array>();

/** Records that the bytes of `encoder` end `whole`, which has room in front of them. */
export function leaveRoom(encoder: object, whole: Uint8Array): void {
  rooms.set(encoder, whole);
}

/** The buffer the bytes of `encoder` end, with room in front, if its writer left room. */
export const roomOf = (encoder: object): Uint8Array | undefined => rooms.get(encoder);
