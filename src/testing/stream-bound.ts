import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { assertBelow } from './helpers.js';
import type { ConformanceTarget, TransferCount } from './types.js';

/** One chunk of the source and of the suite's reads: a 1 MiB block (see {@link chunks}). */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * What the bound allows on top of the target's `streamBufferBytes`: one chunk in the source's or
 * the body's own queue, headers, and what the operating system's socket buffers hold between the
 * store and the point where `transferred()` counts, for a hook that cannot leave them out (a
 * server's own count; the repository's counting proxy subtracts them). 8 MiB: a 4 MiB send
 * buffer (Linux's `net.ipv4.tcp_wmem` maximum) and as much received and not yet read.
 */
export const SOCKET_SLACK_BYTES = 8 * 1024 * 1024;

let block: Buffer | undefined;

/**
 * Incompressible chunks: one random 1 MiB block (made on first use, not at import), each copy
 * stamped with its index so chunks differ.
 */
export function* chunks(total: number): Generator<Buffer> {
  block ??= randomBytes(CHUNK_BYTES);
  for (let sent = 0, index = 0; sent < total; sent += block.length, index++) {
    const chunk = Buffer.from(block.subarray(0, Math.min(block.length, total - sent)));
    if (chunk.length >= 8) chunk.writeDoubleLE(index, 0);
    yield chunk;
  }
}

/** The most a streaming driver may hold: what {@link StreamBound} checks against. */
export function streamLimit(target: Pick<Required<ConformanceTarget>, 'streamBufferBytes'>): number {
  return target.streamBufferBytes + SOCKET_SLACK_BYTES;
}

/** The largest figures a streamed write or read reached (bytes). */
export interface StreamBound {
  /**
   * Write: bytes the driver had pulled from the source and the server had not received yet.
   * Read: bytes the server had sent and the reader had not received yet. Undefined without a
   * `transferred` hook.
   */
  ahead: number | undefined;
  /** Read only: the largest chunk the body gave, or the body's own queue (`readableLength`), in bytes. */
  queued: number;
}

type Counter = (() => TransferCount | Promise<TransferCount>) | undefined;

/** `counter`'s `which` figure from now on, or undefined without a counter. */
async function since(counter: Counter, which: keyof TransferCount): Promise<(() => Promise<number>) | undefined> {
  if (counter === undefined) return undefined;
  const start = (await counter())[which];
  return async () => (await counter())[which] - start;
}

/**
 * Writes `total` bytes with `write`, from a source that counts what the driver pulls: before
 * handing over each chunk it compares the bytes pulled (that chunk included) with the bytes the
 * server has received, and keeps the largest difference. Deterministic: a driver that respects
 * backpressure cannot pull more than it holds plus what sits in socket buffers, however loaded
 * the machine, and one that reads its source ahead without bound is seen at its last pull.
 */
export async function boundedWrite<T>(
  counter: Counter,
  total: number,
  write: (source: Readable) => Promise<T>,
): Promise<{ result: T; bound: StreamBound }> {
  const delivered = await since(counter, 'received');
  let ahead: number | undefined;
  async function* counted(): AsyncGenerator<Buffer> {
    let pulled = 0;
    for (const chunk of chunks(total)) {
      pulled += chunk.length;
      if (delivered !== undefined) ahead = Math.max(ahead ?? 0, pulled - (await delivered()));
      yield chunk;
    }
  }
  // One chunk queued on the test's side at a time (counted in the slack).
  const result = await write(Readable.from(counted(), { highWaterMark: 1 }));
  // A hook that counts less than what was written would make any driver look bounded.
  if (delivered !== undefined)
    assertBelow(total, await delivered(), 'bytes written; transferred().received counted', true);
  return { result, bound: { ahead, queued: 0 } };
}

/** Turns of the event loop a paused reader waits, so a driver that reads ahead fills up. */
const PAUSE_TURNS = 50;

/**
 * Opens a read with `open` and reads it to its end like a slow reader: after its first chunk and
 * at its middle it stops for {@link PAUSE_TURNS} turns of the event loop (not a duration), then
 * compares the bytes the server has sent with the bytes received, and measures the body's own
 * queue at every chunk. A driver that respects backpressure holds no more than its buffers.
 */
export async function boundedRead(
  counter: Counter,
  size: number,
  open: () => Promise<Readable>,
  consume: (chunk: Buffer) => void,
): Promise<StreamBound> {
  // Counted from before the read is opened: a driver may fetch it all before it resolves.
  const sent = await since(counter, 'sent');
  const body = await open();
  let ahead: number | undefined;
  let queued = 0;
  let received = 0;
  let pauses = [0, Math.floor(size / 2)];
  for await (const data of body) {
    const chunk = data as Buffer;
    received += chunk.length;
    consume(chunk);
    queued = Math.max(queued, chunk.length, body.readableLength);
    if (pauses.length > 0 && received > (pauses[0] ?? 0)) {
      pauses = pauses.slice(1);
      for (let turn = 0; turn < PAUSE_TURNS; turn++) await nextTurn();
      queued = Math.max(queued, body.readableLength);
      if (sent !== undefined) ahead = Math.max(ahead ?? 0, (await sent()) - received);
    }
  }
  return { ahead, queued };
}
