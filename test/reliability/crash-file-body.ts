/**
 * The self-checking bodies of the file backend's crash test: a header line naming the key, the
 * writer and the writer's step, the payload length and its SHA-256, then a payload that the
 * writer and step determine. A torn, truncated or mixed file cannot pass {@link checkBody}.
 */
import { createHash } from 'node:crypto';

/** A seeded generator of numbers in [0, 1) (a linear congruential generator: enough to pick moments and sizes). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export const MAGIC = 'STATESTORE-CRASH-1 ';

export interface BodyHeader {
  key: string;
  writer: string;
  step: number;
  /** For the compare-and-swap key: the counter, one more than the version it replaced. */
  n: number;
  length: number;
  sha256: string;
}

/** A deterministic byte pattern (mulberry32) seeded by the writer and its step. */
export function payload(writer: string, step: number, length: number): Buffer {
  let state = createHash('sha256').update(`${writer}/${step}`).digest().readUInt32LE(0);
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    words[i] = t ^ (t >>> 14);
  }
  const out = Buffer.from(words.buffer, 0, length);
  return out.subarray(0, length);
}

export function makeBody(
  key: string,
  writer: string,
  step: number,
  n: number,
  length: number,
): { header: Buffer; payload: Buffer } {
  const bytes = payload(writer, step, length);
  const header: BodyHeader = { key, writer, step, n, length, sha256: createHash('sha256').update(bytes).digest('hex') };
  return { header: Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`), payload: bytes };
}

/** Checks that `body` is exactly one complete body some writer made for `key`; returns its header. */
export function checkBody(key: string, body: Uint8Array): BodyHeader {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const newline = bytes.indexOf(0x0a);
  const line = bytes.subarray(0, newline === -1 ? 0 : newline).toString('utf8');
  if (!line.startsWith(MAGIC)) throw new Error(`${key}: no header (${bytes.length} bytes)`);
  const header = JSON.parse(line.slice(MAGIC.length)) as BodyHeader;
  const rest = bytes.subarray(newline + 1);
  if (header.key !== key) throw new Error(`${key}: holds the body of ${header.key}`);
  if (rest.length !== header.length)
    throw new Error(`${key}: ${rest.length} payload bytes, header says ${header.length} (torn)`);
  if (createHash('sha256').update(rest).digest('hex') !== header.sha256)
    throw new Error(`${key}: checksum mismatch (mixed or torn)`);
  if (!rest.equals(payload(header.writer, header.step, header.length)))
    throw new Error(`${key}: payload is not what ${header.writer} wrote`);
  return header;
}
