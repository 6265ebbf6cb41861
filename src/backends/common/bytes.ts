import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** Bodies as bytes: what every driver does to a body before storing or hashing it. */

/** A body as bytes (strings are UTF-8). */
export function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** Lowercase hex MD5, the form ObjectInfo.md5 takes. */
export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Reads a whole stream into one buffer. Only for bodies known to be small (a whole-object read). */
export async function collect(stream: Readable | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
