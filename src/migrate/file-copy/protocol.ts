import type * as NodeCrypto from 'node:crypto';
import type * as NodeFs from 'node:fs';
import type * as NodePath from 'node:path';

/** The messages between a move and its file copy workers (worker-code.ts, pool.ts). */

/** A file's identity as a stat gave it, and no later than when (see FileDigests). */
export interface StatIdentity {
  ino: bigint;
  mtimeNs: bigint;
  size: bigint;
  ctimeNs: bigint;
  /** Wall clock (ns) taken before the stat. */
  statAtNs: bigint;
}

/** The MD5 of a file's bytes, read after the stat of `stat`. */
export interface ReadDigest {
  md5: string;
  bytes: number;
  stat: StatIdentity;
}

/** Copy `source` to `target` create-only (absolute paths inside the two roots). */
export interface CreateJob {
  kind: 'create';
  source: string;
  target: string;
  /**
   * `now`: fsync the file before it is linked, and its folder after, before the answer (a durable
   * write); `later`: fsync both in the worker's idle time, finished by the next {@link FlushJob} (deferred
   * durability); `none`: the store does not fsync.
   */
  durability: 'now' | 'later' | 'none';
  /** Read the copy back and compare (MoveOptions.verify). */
  verify: boolean;
}

/**
 * Many creates in one job (a cluster's files listed absent at the destination), as flat fields:
 * a job and a result object per file cost the calling thread more than the copy costs a worker.
 */
export interface CopiesJob {
  kind: 'copies';
  /**
   * The files' keys, joined by NUL (which no key holds): keys the file backend listed, whose paths
   * in the two roots the worker makes as the backend does (`Root.pathOf`).
   */
  keys: string;
  /** The number of files (the job's weight when the pool shares work among workers). */
  count: number;
  durability: CreateJob['durability'];
  verify: boolean;
}

/**
 * What a {@link CopiesJob} did with each file, in order (Copies.outcomes; the worker writes the
 * numbers themselves: its code cannot import this).
 */
export const CopyOutcome = {
  copied: 0,
  /** Failed before its name was taken: the move's own path decides. */
  failed: 1,
  /** Failed after it was linked under its name (whole, but not verified or not durable). */
  failedLinked: 2,
  aborted: 3,
  /** Read back with other bytes than were read from the source (linked). */
  integrity: 4,
  /** Aborted after it was linked under its name (whole, but not verified). */
  abortedLinked: 5,
} as const;

/**
 * A {@link CopiesJob}'s results, flat: per file an outcome and, for a copied file, the digests
 * of what was read (the source) and read back (the target, when verified), with the change
 * stamps (`fileStamp`, made in the worker) and times of the stats they are true of.
 */
export interface Copies {
  outcomes: Uint8Array;
  /** Two per file (source, target; '' where there is none), joined by NUL. */
  stamps: string;
  /** Two per file, 32 hex digits each (spaces where there is none). */
  md5s: string;
  /** Four per file: the source's ctime and stat time (ns), then the target's (0: none). */
  times: BigUint64Array;
}

/** Digest the files named (either may be left out). */
export interface CompareJob {
  kind: 'compare';
  source?: string;
  target?: string;
}

/** The worker's deferred fsyncs (`later`) still queued, then their folders'; sent to each worker, alone in a batch. */
export interface FlushJob {
  kind: 'flush';
}

/** Stats of files (their identities now, for digests recorded right after the files were written). */
export interface StatJob {
  kind: 'stat';
  /** The store's folder (one of the two roots). */
  root: string;
  /** The files' keys, joined by NUL; their paths made as CopiesJob's. */
  keys: string;
}

/** A StatJob's answer, flat (as Copies): per file its change stamp ('' where gone or not a file). */
export interface Stats {
  /** One per file, joined by NUL. */
  stamps: string;
  /** Two per file: the ctime and the time taken before the stat (ns). */
  times: BigUint64Array;
}

/** Every file of a store under a prefix, in key order, as the file backend lists them (no folders, no reserved names). */
export interface ListJob {
  kind: 'list';
  root: string;
  prefix: string;
  /** Names starting with this are not keys (temp and lock files). */
  reservedPrefix: string;
  /** Temp files of this prefix not written for `tempMaxAgeMs` are removed, as a listing of the store does. */
  tempPrefix: string;
  tempMaxAgeMs: number;
}

/**
 * A ListJob's files, in two flat fields rather than an object per file: a message of objects
 * costs the receiving thread ~8 µs per file to rebuild (most of a rerun's listing on its side).
 */
export interface Listing {
  /** The keys, joined by NUL (which no file name holds). */
  keys: string;
  /** Four numbers per key, in order: size, inode, mtime (ns), ctime (ns). */
  stats: BigUint64Array;
  /** The change stamp of each (`fileStamp`, whose start is the version), joined by NUL: made here, off the calling thread. */
  stamps: string;
}

export type Job = CreateJob | CopiesJob | CompareJob | FlushJob | StatJob | ListJob;

export type JobResult = JobDone | JobFailed;

export interface JobDone {
  ok: true;
  source?: ReadDigest;
  target?: ReadDigest;
  /** A StatJob's files, in order. */
  stats?: Stats;
  /** A ListJob's files. */
  listing?: Listing;
  /** A CopiesJob's files. */
  copies?: Copies;
}

export interface JobFailed {
  ok: false;
  message: string;
  errno?: string;
  /** The copy was read back with other bytes than were read from the source. */
  integrity?: boolean;
  /** The file was linked under its name before the failure (it is whole, but not verified or durable). */
  linked?: boolean;
  aborted?: boolean;
}

/** What a worker starts with (`workerData`). */
export interface WorkerSetup {
  sourceRoot: string;
  targetRoot: string;
  tempPrefix: string;
  /** A SharedArrayBuffer of one Int32: non-zero once the move is aborted. */
  abort: SharedArrayBuffer;
}

export interface WorkerBatch {
  id: number;
  jobs: Job[];
}

export interface WorkerReply {
  id: number;
  results: JobResult[];
}

/** What a worker's functions get from outside: Node's modules, the abort flag, one read buffer. */
export interface WorkerDeps {
  fs: typeof NodeFs;
  path: typeof NodePath;
  crypto: typeof NodeCrypto;
  setup: WorkerSetup;
  /** Non-zero once the move is aborted (shared with the main thread). */
  abort: Int32Array;
  /** Reused for every read: a worker's memory stays bounded whatever the file sizes. */
  buffer: Buffer;
  /** The background fsyncs of `later` creates (workerSyncLater). */
  later: LaterSyncs;
  /** Temp file names: this worker's random part (made once) and a counter. */
  names: { random: string; count: number };
  /**
   * The worker functions of other modules, passed in: a call of an import by its name is renamed
   * where the sources are transpiled to CommonJS (Jest: `(0, _mod.name)(...)`), which the
   * worker's text does not define; a call through this object is the same everywhere.
   */
  calls: WorkerCalls;
}

/** See {@link WorkerDeps.calls}: worker-list.ts, worker-batch.ts, the backends' helpers. */
export interface WorkerCalls {
  list: (deps: WorkerDeps, job: ListJob) => JobResult;
  copyJobs: (deps: WorkerDeps, job: CopiesJob) => WorkerBatch;
  packCopies: (deps: WorkerDeps, results: JobResult[]) => JobResult;
  stats: (deps: WorkerDeps, root: string, keys: string) => JobResult;
  /** The backends' UTF-8 key order (`backends/common/paging.ts`). */
  compareKeys: (a: string, b: string) => number;
  /** The file backend's fileStamp (`backends/file/stamp.ts`). */
  stamp: (stat: Omit<StatIdentity, 'statAtNs'>) => string;
}

/** A worker's deferred fsyncs: files waiting and running, their folders, the first failure. */
export interface LaterSyncs {
  queue: string[];
  running: number;
  /**
   * At most this many at once, on libuv's thread pool (4 threads for the whole process): a
   * disk commits concurrent fsyncs together, so a few in flight cost little more than one.
   */
  limit: number;
  folders: Set<string>;
  failure: string | undefined;
  /** Flushes waiting for the queue to empty. */
  idle: Array<() => void>;
}

/** The worker's end of its channel (`parentPort`). */
export interface WorkerPort {
  on(event: 'message', listener: (batch: WorkerBatch) => void): unknown;
  postMessage(reply: WorkerReply): void;
}
