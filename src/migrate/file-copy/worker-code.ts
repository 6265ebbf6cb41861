/**
 * The code a file copy worker runs (issue #29.3): synchronous fs calls, which cost a few µs each
 * where a promise-based call costs 30-75 µs of the main thread's CPU, and which are acceptable
 * here because they block this worker's thread, never the caller's event loop.
 *
 * A worker runs from source text (`new Worker(workerSource(), { eval: true })`), not from a file:
 * the same text then serves the built package (ESM and CommonJS) and the TypeScript sources (Jest,
 * tsx) alike, with no worker file to find next to a bundle. So each function below uses nothing
 * from outside itself but its parameters, the other functions of {@link WORKER_FUNCTIONS} (a
 * bundler that renames one renames it everywhere, its declaration's text included) and globals
 * (Buffer, BigInt, Atomics). Node's modules come in through {@link WorkerDeps}. Nor do they use
 * syntax a build may lower through a helper of its own (tsup's CommonJS output turns `?.` and `??`
 * into calls of `_optionalChain` and `_nullishCoalesce`, which the worker would not have):
 * scripts/check-pack.mjs moves a file store through the workers from both built formats.
 */
import type * as NodeCrypto from 'node:crypto';
import { compareKeys } from '../../backends/common/paging.js';
import { fileStamp } from '../../backends/file/stamp.js';
import type {
  Job,
  JobFailed,
  JobResult,
  ReadDigest,
  WorkerBatch,
  WorkerDeps,
  WorkerPort,
  WorkerReply,
} from './protocol.js';
import { workerCopyJobs, workerPackCopies, workerPaths, workerStats } from './worker-batch.js';
import { workerList, workerRemoveAbandoned, workerSortItems } from './worker-list.js';

/** The folders of one batch found inside their store's root (resolved once per batch). */
type Checked = Set<string>;

/** Deferred fsyncs in flight per worker (LaterSyncs.limit). */
export const LATER_SYNCS = 8;

/** Bytes read at once: a large file is copied and hashed in chunks of this size. */
export const WORKER_CHUNK = 256 * 1024;

/** The worker's entry: answers each batch with one result per job, in order (a flush when done). */
export function fileCopyWorkerMain(deps: WorkerDeps, port: WorkerPort): void {
  port.on('message', (batch: WorkerBatch) => {
    // A flush answers once the fsyncs are done (after an abort too: what was linked must be durable).
    if (batch.jobs.length === 1 && batch.jobs[0]!.kind === 'flush') {
      workerFlush(deps, (result: JobResult) => port.postMessage({ id: batch.id, results: [result] }));
      return;
    }
    const reply: WorkerReply = { id: batch.id, results: runWorkerBatch(deps, batch) };
    port.postMessage(reply);
  });
}

/** Every job of the batch, then one fsync per folder that durable creates (`now`) linked into. */
export function runWorkerBatch(deps: WorkerDeps, batch: WorkerBatch): JobResult[] {
  const checked: Checked = new Set();
  const folders = new Map<string, number[]>();
  const results: JobResult[] = batch.jobs.map((job: Job, index: number): JobResult => {
    try {
      if (Atomics.load(deps.abort, 0) !== 0) return { ok: false, aborted: true, message: 'aborted' };
      if (job.kind === 'compare') return workerCompare(deps, job.source, job.target);
      if (job.kind === 'stat') return deps.calls.stats(deps, job.root, job.keys);
      if (job.kind === 'list') return deps.calls.list(deps, job);
      // Each file as a CreateJob of a batch would be (the same checks, abort flag and durability).
      if (job.kind === 'copies')
        return deps.calls.packCopies(deps, runWorkerBatch(deps, deps.calls.copyJobs(deps, job)));
      if (job.kind !== 'create') return { ok: false, message: 'a flush is sent alone' };
      const result = workerCreate(deps, checked, job.source, job.target, job.durability === 'now', job.verify);
      // A file linked is synced even if a later step failed: the move may still find it whole and keep it.
      if (job.durability === 'later' && (result.ok || result.linked === true)) workerSyncLater(deps, job.target);
      if (job.durability === 'now') {
        const folder = deps.path.dirname(job.target);
        let indexes = folders.get(folder);
        if (indexes === undefined) folders.set(folder, (indexes = []));
        indexes.push(index);
      }
      return result;
    } catch (err) {
      return workerFailure(err);
    }
  });
  for (const [folder, indexes] of folders) {
    try {
      const fd = deps.fs.openSync(folder, 'r');
      try {
        deps.fs.fsyncSync(fd);
      } finally {
        deps.fs.closeSync(fd);
      }
    } catch (err) {
      // The files are linked but their folder entries may not be durable: not a success.
      for (const index of indexes) if (results[index]!.ok) results[index] = { ...workerFailure(err), linked: true };
    }
  }
  return results;
}

/**
 * Queues a background fsync of a file just linked (deferred durability): run on libuv's thread
 * pool, a few at once, while this worker copies the next files, so the disk's wait overlaps the
 * copies; {@link workerFlush} waits for them. A file gone since is not ours to sync any more.
 */
export function workerSyncLater(deps: WorkerDeps, file: string): void {
  const { fs, later } = deps;
  if (file !== '') {
    later.queue.push(file);
    later.folders.add(deps.path.dirname(file));
  }
  while (later.running < later.limit && later.queue.length > 0) {
    const next = later.queue.shift()!;
    later.running += 1;
    const done = (err: { code?: unknown; message: string } | null) => {
      if (err !== null && err.code !== 'ENOENT' && later.failure === undefined) later.failure = err.message;
      later.running -= 1;
      workerSyncLater(deps, '');
      if (later.running === 0 && later.queue.length === 0) for (const wake of later.idle.splice(0)) wake();
    };
    fs.open(next, 'r', (err, fd) => {
      if (err !== null) return done(err);
      fs.fsync(fd, (synced) => fs.close(fd, () => done(synced)));
    });
  }
}

/** Once every background fsync is done, fsyncs their folders (the links), then answers. */
export function workerFlush(deps: WorkerDeps, answer: (result: JobResult) => void): void {
  const { fs, later } = deps;
  if (later.running > 0 || later.queue.length > 0) {
    later.idle.push(() => workerFlush(deps, answer));
    return;
  }
  const folders = [...later.folders];
  later.folders.clear();
  let left = folders.length;
  const settle = () => {
    if (left > 0) return;
    // Sticky: once a sync failed, which files are durable is unknown, so no flush succeeds again.
    answer(later.failure === undefined ? { ok: true } : { ok: false, message: later.failure });
  };
  settle();
  for (const folder of folders) {
    fs.open(folder, 'r', (err, fd) => {
      const done = (failed: { message: string } | null) => {
        if (failed !== null && later.failure === undefined) later.failure = failed.message;
        left -= 1;
        settle();
      };
      if (err !== null) return done(err);
      fs.fsync(fd, (synced) => fs.close(fd, () => done(synced)));
    });
  }
}

/**
 * Copies `source` to `target`, create-only: written to a temp file beside the target (mode 0600),
 * fsynced if asked, linked to its name (`link()` fails on a name already there, atomically, as
 * the file driver's create-only write), then read back through its own descriptor and compared
 * with the MD5 of the bytes read from the source. Nothing partial is ever visible under `target`.
 */
export function workerCreate(
  deps: WorkerDeps,
  checked: Checked,
  source: string,
  target: string,
  fsync: boolean,
  verify: boolean,
): JobResult {
  const { fs, path, setup } = deps;
  workerAssertInside(deps, checked, setup.sourceRoot, path.dirname(source), false);
  workerAssertInside(deps, checked, setup.targetRoot, path.dirname(target), true);
  // This worker's random part and a counter: unique as random names are, without a random read per file.
  const temp = path.join(
    path.dirname(target),
    setup.tempPrefix + deps.names.random + (deps.names.count++).toString(36),
  );
  const from = fs.openSync(source, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  let to: number | undefined;
  let linked = false;
  try {
    to = fs.openSync(temp, 'wx+', 0o600);
    const read = workerDigest(deps, from, to);
    if (read.bytes !== Number(read.stat.size)) return { ok: false, message: 'the source changed while copying' };
    if (fsync) fs.fsyncSync(to);
    fs.linkSync(temp, target);
    linked = true;
    fs.unlinkSync(temp);
    const written = verify ? workerDigest(deps, to) : undefined;
    if (written !== undefined && (written.md5 !== read.md5 || written.bytes !== read.bytes)) {
      return { ok: false, integrity: true, linked, message: 'the copy does not hold the bytes read' };
    }
    return { ok: true, source: read, ...(written === undefined ? {} : { target: written }) };
  } catch (err) {
    return { ...workerFailure(err), linked };
  } finally {
    fs.closeSync(from);
    if (to !== undefined) fs.closeSync(to);
    if (!linked && to !== undefined) fs.rmSync(temp, { force: true });
  }
}

/** The MD5s of the files named (each with the stat it was read under), for a rerun's comparison. */
export function workerCompare(deps: WorkerDeps, source: string | undefined, target: string | undefined): JobResult {
  const { fs, setup, path } = deps;
  const checked: Checked = new Set();
  const digestOf = (file: string | undefined, root: string): ReadDigest | undefined => {
    if (file === undefined) return undefined;
    workerAssertInside(deps, checked, root, path.dirname(file), false);
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      return workerDigest(deps, fd);
    } finally {
      fs.closeSync(fd);
    }
  };
  const read = digestOf(source, setup.sourceRoot);
  const written = digestOf(target, setup.targetRoot);
  return {
    ok: true,
    ...(read === undefined ? {} : { source: read }),
    ...(written === undefined ? {} : { target: written }),
  };
}

/**
 * Reads the file open as `fd` from its start to its end, after a stat of it (the identity the
 * digest is true of: taken before the bytes, so a write during the read shows as another
 * identity), and returns the MD5 of the bytes; each chunk also written to `copyTo` if given.
 */
export function workerDigest(deps: WorkerDeps, fd: number, copyTo?: number): ReadDigest {
  const { fs, buffer } = deps;
  const statAtNs = BigInt(Date.now()) * 1_000_000n;
  const stat = fs.fstatSync(fd, { bigint: true });
  if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
  // A file read in one chunk (most of a kops store) is digested in one call: a Hash object per
  // file cost more than the MD5 of 1 KiB.
  let hash: NodeCrypto.Hash | undefined;
  let md5: string | undefined;
  let bytes = 0;
  for (;;) {
    if (Atomics.load(deps.abort, 0) !== 0) throw Object.assign(new Error('aborted'), { code: 'ABORT_ERR' });
    const n = fs.readSync(fd, buffer, 0, buffer.byteLength, bytes);
    const chunk = buffer.subarray(0, n);
    if (copyTo !== undefined) for (let at = 0; at < n;) at += fs.writeSync(copyTo, chunk, at, n - at, bytes + at);
    bytes += n;
    // A short read is the end of a regular file: no read more only to be told so (the caller
    // compares the bytes with the stat's size, which a file that grew meanwhile fails).
    const last = n < buffer.byteLength;
    if (last && hash === undefined) {
      md5 = deps.crypto.hash('md5', chunk);
      break;
    }
    if (hash === undefined) hash = deps.crypto.createHash('md5');
    hash.update(chunk);
    if (last) break;
  }
  const { ino, mtimeNs, size, ctimeNs } = stat;
  return { md5: md5 === undefined ? hash!.digest('hex') : md5, bytes, stat: { ino, mtimeNs, size, ctimeNs, statAtNs } };
}

/**
 * Throws unless `dir` resolves (symlinks followed) inside `root`, as the file driver checks every
 * key it opens; `make` creates a missing folder first (mode 0700), then checks it.
 */
export function workerAssertInside(deps: WorkerDeps, checked: Checked, root: string, dir: string, make: boolean): void {
  if (checked.has(dir)) return;
  const { fs, path } = deps;
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch (err) {
    if (!make || (err as { code?: unknown }).code !== 'ENOENT') throw err;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    real = fs.realpathSync(dir);
  }
  const realRoot = fs.realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep))
    throw Object.assign(new Error('outside the root'), { code: 'EOUTSIDE' });
  checked.add(dir);
}

/** A failure as a message can carry it (an Error does not survive postMessage with its code). */
export function workerFailure(err: unknown): JobFailed {
  const fields = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  const code = fields.code;
  const errno = typeof code === 'string' ? code : undefined;
  if (errno === 'ABORT_ERR') return { ok: false, aborted: true, message: 'aborted' };
  return {
    ok: false,
    message: String(fields.message === undefined ? err : fields.message),
    ...(errno ? { errno } : {}),
  };
}

/** Every function a worker runs, entry first (see the module's comment). */
export const WORKER_FUNCTIONS: ReadonlyArray<(...args: never[]) => unknown> = [
  fileCopyWorkerMain,
  runWorkerBatch,
  workerCreate,
  workerCopyJobs,
  workerPackCopies,
  fileStamp,
  workerCompare,
  workerDigest,
  workerAssertInside,
  workerSyncLater,
  workerFlush,
  workerStats,
  workerPaths,
  workerList,
  workerRemoveAbandoned,
  workerSortItems,
  compareKeys,
  workerFailure,
];

/** The text a worker runs: the functions above, then the entry called with Node's modules. */
export function workerSource(): string {
  const [main] = WORKER_FUNCTIONS;
  return [
    "'use strict';",
    // esbuild's keepNames (tsx sets it) names inner functions through this helper of its bundles.
    'function __name(target, value) { return Object.defineProperty(target, "name", { value, configurable: true }); }',
    ...WORKER_FUNCTIONS.map((fn) => fn.toString()),
    "const { parentPort, workerData } = require('node:worker_threads');",
    `${main!.name}({ fs: require('node:fs'), path: require('node:path'), crypto: require('node:crypto'),`,
    `  setup: workerData, abort: new Int32Array(workerData.abort), buffer: Buffer.allocUnsafe(${WORKER_CHUNK}),`,
    "  names: { random: require('node:crypto').randomBytes(6).toString('hex'), count: 0 },",
    `  calls: { list: ${workerList.name}, copyJobs: ${workerCopyJobs.name}, packCopies: ${workerPackCopies.name},`,
    `    stats: ${workerStats.name}, compareKeys: ${compareKeys.name}, stamp: ${fileStamp.name} },`,
    `  later: { queue: [], running: 0, limit: ${LATER_SYNCS}, folders: new Set(), failure: undefined, idle: [] } }, parentPort);`,
  ].join('\n');
}
