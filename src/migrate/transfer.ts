import { pipeline } from 'node:stream';
import type pLimit from 'p-limit';
import { isStateStoreError, StateStoreError } from '../errors.js';
import type { Capabilities, CopyFromOptions, ObjectInfo, Vfs, WriteOptions } from '../vfs/types.js';
import { nowNs, type FileDigests, type FileIdentity } from './file-digests.js';
import { md5Hex } from '../backends/common/bytes.js';
import { hashStream, HashingStream } from './hashing.js';

export interface TransferContext {
  from: Vfs;
  to: Vfs;
  overwrite: boolean;
  verify: boolean;
  /** Taken by a file that streams through this process and is over {@link LARGE_STREAM} bytes. */
  streams?: ReturnType<typeof pLimit>;
  signal?: AbortSignal;
  /** MD5s kept between runs for file:// stores (see {@link FileDigests}). */
  digests?: { from?: FileDigests | undefined; to?: FileDigests | undefined };
  /**
   * `deferred` for the files of a cluster whose config is written (durably) after them: the
   * destination may make them durable together, before that config (WriteOptions.durability).
   */
  durability?: WriteOptions['durability'];
  /** `best-effort` with MoveOptions.createOnly `listing`: server-side copies stay server-side (CopyFromOptions). */
  ifNoneMatchInService?: CopyFromOptions['ifNoneMatchInService'];
}

/** Streams larger than this hold a multipart buffer: they take a slot of `streams`. */
export const LARGE_STREAM = 1024 * 1024;

/**
 * Files up to this size are read whole and written from the buffer, not streamed: a stream's
 * machinery (pipeline, generator, hashing transform) cost more than the bytes of a state store's
 * typical files (a few KiB). At the default 64 files in flight this buffers at most 4 MiB.
 */
export const SMALL_FILE = 64 * 1024;

/** The size and MD5 the destination must end up with; the MD5 is computed when first needed. */
interface Expected {
  size: number;
  md5: string | undefined;
}

/**
 * Copies one file from `from` to `to`, unless the destination already holds the same bytes
 * (size and MD5), which is what makes a rerun resume instead of starting over. Bodies stream at
 * bounded memory; `replacement` (a rewritten text) is written instead of the source's bytes.
 * After writing, the destination's size and checksum are checked (IntegrityError on mismatch).
 */
export async function transferFile(
  ctx: TransferContext,
  source: ObjectInfo,
  replacement?: Uint8Array,
  listed?: ObjectInfo | null,
): Promise<'copied' | 'skipped'> {
  const { to } = ctx;
  // Listed absent (most files of a move): no promise to wait for.
  const existing = listed === null ? undefined : await destinationEntry(ctx, source.key, listed);
  const expected: Expected = {
    size: replacement?.byteLength ?? source.size,
    md5: replacement ? md5(replacement) : source.md5,
  };
  if (existing !== undefined && (await holdsExpectedBytes(ctx, source, existing, expected))) return 'skipped';
  if (existing !== undefined && !ctx.overwrite) {
    throw new StateStoreError(
      'AlreadyExists',
      `the destination already has a different ${JSON.stringify(source.key)}; pass overwrite: true to replace it`,
      { key: source.key, backend: to.backend },
    );
  }
  // Create-only where the listing saw no file, so a file another writer made meanwhile is not
  // replaced; a store that cannot refuse a taken key (swift by default) is written as kops writes
  // it, unconditionally, as is a replacement on one without compare-and-swap.
  const capabilities = finalCapabilities.get(to) ?? (await loadCapabilities(to, ctx.signal));
  const condition: WriteOptions =
    existing === undefined
      ? capabilities.ifNoneMatch
        ? { ifNoneMatch: '*' }
        : {}
      : capabilities.ifMatch
        ? { ifMatch: existing.version }
        : {};
  let written: ObjectInfo;
  let sentMd5: string;
  const writtenAfterNs = nowNs();
  try {
    ({ written, sentMd5 } = await write(ctx, source, condition, replacement));
  } catch (err) {
    if (await landedDespite(err, ctx, source, expected)) return 'copied';
    throw err;
  }
  if (ctx.verify) await assertCopyMatches(ctx, source, written, sentMd5, expected.size, writtenAfterNs);
  return 'copied';
}

/** Each store's capabilities once loaded: final then (Vfs.loadCapabilities), so not asked per file. */
const finalCapabilities = new WeakMap<Vfs, Capabilities>();

async function loadCapabilities(vfs: Vfs, signal: AbortSignal | undefined): Promise<Capabilities> {
  const loaded = await vfs.loadCapabilities({ signal });
  finalCapabilities.set(vfs, loaded);
  return loaded;
}

/**
 * The destination's entry for `key`. `listed` comes from one listing of the destination per
 * cluster (null: known absent), which saves a HEAD per file; without it, ask.
 */
async function destinationEntry(
  ctx: TransferContext,
  key: string,
  listed: ObjectInfo | null | undefined,
): Promise<ObjectInfo | undefined> {
  if (listed === null) return undefined;
  if (listed !== undefined) return listed;
  return ctx.to.stat(key, { signal: ctx.signal }).catch((err: unknown) => {
    if (isStateStoreError(err, 'NotFound')) return undefined;
    throw err;
  });
}

/** True when the destination's `existing` object already has the expected size and MD5. */
async function holdsExpectedBytes(
  ctx: TransferContext,
  source: ObjectInfo,
  existing: ObjectInfo,
  expected: Expected,
): Promise<boolean> {
  if (existing.size !== expected.size) return false;
  expected.md5 ??= await md5Of(ctx.from, source, ctx.signal, ctx.digests?.from);
  return (await md5Of(ctx.to, existing, ctx.signal, ctx.digests?.to)) === expected.md5;
}

/**
 * A write whose answer was lost (a reset after the server acted) is retried by the SDK and then
 * fails its own condition. True when `err` is such a failure and the destination now holds
 * exactly our bytes: the write landed.
 */
async function landedDespite(
  err: unknown,
  ctx: TransferContext,
  source: ObjectInfo,
  expected: Expected,
): Promise<boolean> {
  if (!isStateStoreError(err, 'AlreadyExists') && !isStateStoreError(err, 'PreconditionFailed')) return false;
  const landed = await ctx.to.stat(source.key, { signal: ctx.signal }).catch(() => undefined);
  expected.md5 ??= await md5Of(ctx.from, source, ctx.signal, ctx.digests?.from);
  return (
    landed !== undefined &&
    landed.size === expected.size &&
    (await md5Of(ctx.to, landed, ctx.signal, ctx.digests?.to, true)) === expected.md5
  );
}

/** Throws IntegrityError unless the written object has the expected size and the MD5 that was sent. */
async function assertCopyMatches(
  ctx: TransferContext,
  source: ObjectInfo,
  written: ObjectInfo,
  sentMd5: string,
  expectedSize: number,
  writtenAfterNs: bigint,
): Promise<void> {
  const size = written.size === expectedSize ? expectedSize : -1;
  // Read back whole (`fresh`): a copy is verified byte for byte, never from a kept digest. A
  // file write read its bytes back itself, after the stat its change stamp is of (FileDriver.write).
  const digests = ctx.digests?.to;
  const readBack = written.md5 !== undefined ? digests?.identityOf(written, writtenAfterNs) : undefined;
  if (readBack !== undefined && written.md5 !== undefined) digests?.record(written.key, readBack, written.md5);
  const stored = written.md5 ?? (await md5Of(ctx.to, written, ctx.signal, digests, true));
  if (size !== expectedSize || stored !== sentMd5) {
    throw new StateStoreError(
      'IntegrityError',
      `${source.key}: the copy at the destination does not match the source`,
      {
        key: source.key,
        backend: ctx.to.backend,
      },
    );
  }
}

async function write(
  ctx: TransferContext,
  source: ObjectInfo,
  condition: WriteOptions,
  replacement: Uint8Array | undefined,
): Promise<{ written: ObjectInfo; sentMd5: string }> {
  const { from, to, signal } = ctx;
  const options: WriteOptions = { ...condition, signal, ...(ctx.durability ? { durability: ctx.durability } : {}) };
  if (replacement !== undefined)
    return { written: await to.write(source.key, replacement, options), sentMd5: md5(replacement) };
  const { ifNoneMatchInService } = ctx;
  const serverSide = await to.copyFrom?.(from, source.key, source.key, {
    ...options,
    sourceInfo: source,
    ifNoneMatchInService,
  });
  if (serverSide !== undefined) {
    // Copied inside the service: the bytes never came through here, so the reference checksum
    // is the source's own (from the listing, or read once when the backend does not list it).
    return { written: serverSide, sentMd5: source.md5 ?? (await md5Of(from, source, signal, ctx.digests?.from)) };
  }
  if (source.size <= SMALL_FILE) return copyBuffered(ctx, source, options);
  if (ctx.streams !== undefined && source.size > LARGE_STREAM) return ctx.streams(() => stream(ctx, source, options));
  return stream(ctx, source, options);
}

/** Reads a small file whole and writes it from the buffer (see {@link SMALL_FILE}). */
async function copyBuffered(
  ctx: TransferContext,
  source: ObjectInfo,
  options: WriteOptions,
): Promise<{ written: ObjectInfo; sentMd5: string }> {
  const { from, to, signal } = ctx;
  const [{ body, info }, identity] = await identified(ctx.digests?.from, source, () =>
    from.read(source.key, { signal }),
  );
  const sentMd5 = md5(body);
  assertSourceIntact(ctx, source, body.byteLength, info, sentMd5);
  const written = await to.write(source.key, body, options);
  if (identity !== undefined) ctx.digests?.from?.record(source.key, identity, sentMd5);
  return { written, sentMd5 };
}

/** The bytes read are the whole source as it was when opened (size, and MD5 where the backend has one). */
function assertSourceIntact(ctx: TransferContext, source: ObjectInfo, bytes: number, info: ObjectInfo, sent: string) {
  if (bytes !== info.size || (info.md5 !== undefined && info.md5 !== sent)) {
    throw new StateStoreError('IntegrityError', `${source.key}: the source changed or was corrupted while copying`, {
      key: source.key,
      backend: ctx.from.backend,
    });
  }
}

/** Streams the source's bytes into the destination, hashing them on the way. */
async function stream(
  ctx: TransferContext,
  source: ObjectInfo,
  options: WriteOptions,
): Promise<{ written: ObjectInfo; sentMd5: string }> {
  const { from, to, signal } = ctx;
  const [{ body, info }, identity] = await identified(ctx.digests?.from, source, () =>
    from.readStream(source.key, { signal }),
  );
  const hasher = new HashingStream();
  pipeline(body, hasher, () => undefined); // errors surface through writeStream's read of `hasher`
  const written = await to.writeStream(source.key, hasher, { ...options, size: info.size });
  const sentMd5 = hasher.digest();
  assertSourceIntact(ctx, source, hasher.bytes, info, sentMd5);
  if (identity !== undefined) ctx.digests?.from?.record(source.key, identity, sentMd5);
  return { written, sentMd5 };
}

function md5(bytes: Uint8Array): string {
  return md5Hex(bytes);
}

/**
 * The MD5 of a stored object: from its metadata when the backend knows it, else from a digest
 * kept for the file's exact identity (unless `fresh`), else by reading it (and keeping that).
 */
async function md5Of(
  vfs: Vfs,
  info: ObjectInfo,
  signal: AbortSignal | undefined,
  digests?: FileDigests,
  fresh = false,
): Promise<string> {
  if (info.md5 !== undefined) return info.md5;
  if (digests !== undefined && !fresh) {
    // The listing's stamp where it has one: no stat of its own (issue #17).
    const identity = info.changeStamp ?? (await digests.identify(info.key));
    const kept = identity === undefined ? undefined : digests.lookup(info.key, identity);
    if (kept !== undefined) return kept;
  }
  // Small files whole (one read, no stream), as they were copied (see SMALL_FILE).
  const [digest, identity] =
    info.size <= SMALL_FILE
      ? await identified(digests, info, async () => {
          const read = await vfs.read(info.key, { signal });
          return { info: read.info, md5: md5(read.body) };
        })
      : await identified(digests, info, async () => {
          const read = await vfs.readStream(info.key, { signal });
          return { info: read.info, md5: (await hashStream(read.body)).md5 };
        });
  if (identity !== undefined) digests?.record(info.key, identity, digest.md5);
  return digest.md5;
}

/**
 * Runs `read` (a read of `listed`'s file) and returns its result with the identity to record a
 * digest of the bytes read under. Taken before the bytes are read, so that a write during the
 * read makes the recorded digest unusable: the stamp of the read's own stat (it comes before
 * the bytes), or where the listing carried none, a stat before the read.
 */
async function identified<T extends { info: ObjectInfo }>(
  digests: FileDigests | undefined,
  listed: ObjectInfo,
  read: () => Promise<T>,
): Promise<[T, FileIdentity | undefined]> {
  if (digests === undefined) return [await read(), undefined];
  const early = listed.changeStamp === undefined ? await digests.identify(listed.key) : undefined;
  const before = nowNs();
  const result = await read();
  return [result, early ?? digests.identityOf(result.info, before)];
}
