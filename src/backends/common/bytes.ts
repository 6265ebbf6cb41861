import * as crypto from 'node:crypto';
import type { Readable } from 'node:stream';

/** Bodies as bytes: what every driver does to a body before storing or hashing it. */

/** A body as bytes (strings are UTF-8). */
export function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

type OneShot = (algorithm: string, data: Uint8Array, encoding: 'hex') => string;
/** Node's one-shot hash (20.12+): about half the cost of a Hash object for a small body. */
const oneShot = (crypto as { hash?: OneShot }).hash;

/** Lowercase hex MD5, the form ObjectInfo.md5 takes. */
export function md5Hex(bytes: Uint8Array): string {
  return oneShot === undefined ? crypto.createHash('md5').update(bytes).digest('hex') : oneShot('md5', bytes, 'hex');
}

/**
 * Reads a whole stream into one buffer. Only for bodies known to be small (a whole-object read).
 * The chunks are viewed, not copied (a stream's chunks belong to its reader): the bytes are
 * copied once, into the result.
 */
export async function collect(stream: Readable | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
  return Buffer.concat(chunks);
}
