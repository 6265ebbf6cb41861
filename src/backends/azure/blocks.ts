import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { throwIfAborted } from '../../errors.js';

/** What {@link stageBlocks} staged: the block ids in order, the MD5 and the size of the whole body. */
export interface StagedBlocks {
  ids: string[];
  md5: Buffer;
  size: number;
}

/**
 * Cuts `body` into blocks of `blockSize` bytes and hands each to `stage`, one at a time, so that
 * memory stays bounded (one block buffered). Block ids carry a per-upload nonce, so two uploads to
 * one blob never commit each other's blocks. Stops with Aborted once `signal` fired.
 */
export async function stageBlocks(
  body: Readable | AsyncIterable<Uint8Array>,
  blockSize: number,
  stage: (id: string, block: Buffer) => Promise<void>,
  where: { key: string; signal?: AbortSignal },
): Promise<StagedBlocks> {
  const hash = createHash('md5');
  const ids: string[] = [];
  const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let size = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const block = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const id = Buffer.from(`${nonce}-${String(ids.length).padStart(6, '0')}`).toString('base64');
    ids.push(id);
    await stage(id, block);
  };
  for await (const chunk of body) {
    throwIfAborted(where.signal, where.key, 'azure');
    const buffer = Buffer.from(chunk as Uint8Array | string);
    hash.update(buffer);
    pending.push(buffer);
    pendingBytes += buffer.byteLength;
    size += buffer.byteLength;
    if (pendingBytes >= blockSize) await flush();
  }
  await flush();
  return { ids, md5: hash.digest(), size };
}
